// A file as it is placed on a node (or in the admin bundle): path, mode, owner and text.

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

export function byPath(a: NodeFile, b: NodeFile): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
