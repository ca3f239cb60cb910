// Starting a real etcd member from the files etcdgen wrote for a node, exactly as its systemd
// unit would: the unit's ExecStart, with the unit's EnvironmentFile, every absolute path mapped
// under a temporary root that holds the node's files/ tree.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { requireTool } from "../helpers/tools.js";
import type { HostProcess, NetLab } from "./netlab.js";

export interface SystemdUnit {
  execStart: string[];
  environmentFile: string;
}

export function parseUnit(text: string): SystemdUnit {
  const value = (key: string) => {
    const m = new RegExp(`^${key}=(.*)$`, "m").exec(text);
    if (!m) throw new Error(`unit has no ${key}=`);
    return m[1]!.trim();
  };
  return { execStart: value("ExecStart").split(/\s+/), environmentFile: value("EnvironmentFile") };
}

/** KEY="value" lines as systemd reads an EnvironmentFile (the quoting etcdgen writes). */
export function parseEnvironmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const m = /^([A-Z0-9_]+)="((?:[^"\\]|\\.)*)"$/.exec(line);
    if (!m) throw new Error(`cannot read environment line: ${line}`);
    env[m[1]!] = m[2]!.replace(/\\(.)/g, "$1");
  }
  return env;
}

/** `export KEY=value` / `export KEY='value'` lines of an etcdctl env file. */
export function parseExportFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^export ([A-Z0-9_]+)=(?:'([^']*)'|(\S*))$/.exec(line);
    if (m) env[m[1]!] = m[2] ?? m[3] ?? "";
  }
  return env;
}

export function mapUnder(root: string, value: string): string {
  return value.startsWith("/") ? join(root, value) : value;
}

export interface MemberRoot {
  root: string;
  unit: SystemdUnit;
  env: Record<string, string>;
}

/** Lays out a node's files under `root` as the bootstrap script would leave them. */
export function prepareMember(nodeOut: string, root: string): MemberRoot {
  cpSync(join(nodeOut, "files"), root, { recursive: true });
  const unit = parseUnit(readFileSync(join(root, "etc/systemd/system/etcd.service"), "utf8"));
  const raw = parseEnvironmentFile(readFileSync(mapUnder(root, unit.environmentFile), "utf8"));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) env[k] = mapUnder(root, v);
  // What the bootstrap script does: the data dir, 0700; the binary, here the machine's etcd.
  mkdirSync(env.ETCD_DATA_DIR!, { recursive: true, mode: 0o700 });
  chmodSync(env.ETCD_DATA_DIR!, 0o700);
  const binary = mapUnder(root, unit.execStart[0]!);
  if (!existsSync(binary)) {
    mkdirSync(dirname(binary), { recursive: true });
    symlinkSync(requireTool("etcd"), binary);
  }
  return { root, unit, env };
}

export function startMember(lab: NetLab, ns: string, member: MemberRoot): HostProcess {
  const [binary, ...args] = member.unit.execStart;
  return lab.start(ns, mapUnder(member.root, binary!), args, { PATH: process.env.PATH ?? "/usr/bin:/bin", ...member.env });
}
