// A file as it is placed on a node (or in the admin bundle): path, mode, owner and text.
import { byText } from "../order.js";

export interface NodeFile {
  /** Absolute path on the node; for the admin bundle, relative to it. */
  path: string;
  mode: number;
  owner: string;
  content: string;
}

export const ROOT = "root:root";
export const ETCD_USER = "etcd:etcd";

export function modeText(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

export const byPath = byText<NodeFile>((f) => f.path);
