// Starting a real etcd member from the files etcdgen wrote for a node, as the node would:
// systemd mode runs the unit's ExecStart with its EnvironmentFile; kubeadm mode runs the static
// pod's command with its hostPath volumes. Every absolute path is mapped under a temporary root
// that holds the node's files/ tree.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import YAML from "yaml";
import type { EtcdInstall } from "../helpers/etcd-versions.js";
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

/** How to start a member: binary, arguments, environment, all mapped under `root`. */
export interface MemberRoot {
  root: string;
  binary: string;
  args: string[];
  env: Record<string, string>;
  /** The flags as etcd sees them, name -> value, wherever they came from. */
  flags: Record<string, string>;
  /** kubeadm mode: the static pod's probes. */
  probes: { path: string; port: number; host: string }[];
  /** The etcd installation that stands in for the node's. */
  etcd: EtcdInstall;
}

/** The node's files under `root`, to be run with `etcd` (the version the output was rendered for). */
export function prepareMember(nodeOut: string, root: string, etcd: EtcdInstall): MemberRoot {
  cpSync(join(nodeOut, "files"), root, { recursive: true });
  const staticPod = join(root, "etc/kubernetes/manifests/etcd.yaml");
  const member = existsSync(staticPod) ? fromStaticPod(root, readFileSync(staticPod, "utf8"), etcd) : fromUnit(root, etcd);
  // What the bootstrap script does: the data dir, 0700.
  const dataDir = member.flags["data-dir"]!;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  return member;
}

function fromUnit(root: string, etcd: EtcdInstall): MemberRoot {
  const unit = parseUnit(readFileSync(join(root, "etc/systemd/system/etcd.service"), "utf8"));
  const raw = parseEnvironmentFile(readFileSync(mapUnder(root, unit.environmentFile), "utf8"));
  const env: Record<string, string> = {};
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    env[k] = mapUnder(root, v);
    flags[k.replace(/^ETCD_/, "").toLowerCase().replace(/_/g, "-")] = env[k]!;
  }
  // The install step's result: here the test's etcd stands in for the node's.
  const binary = mapUnder(root, unit.execStart[0]!);
  if (!existsSync(binary)) {
    mkdirSync(dirname(binary), { recursive: true });
    symlinkSync(etcd.etcd, binary);
  }
  return { root, binary, args: unit.execStart.slice(1), env, flags, probes: [], etcd };
}

interface PodManifest {
  spec: {
    containers: {
      command: string[];
      volumeMounts: { mountPath: string; name: string }[];
      livenessProbe?: Probe;
      readinessProbe?: Probe;
      startupProbe?: Probe;
      ports: { containerPort: number; name: string }[];
    }[];
    volumes: { name: string; hostPath: { path: string } }[];
  };
}
interface Probe {
  httpGet: { host: string; path: string; port: string | number };
}

function fromStaticPod(root: string, text: string, etcd: EtcdInstall): MemberRoot {
  const pod = YAML.parse(text) as PodManifest;
  const container = pod.spec.containers[0]!;
  // A path inside the container -> the hostPath behind its mount -> under the temporary root.
  const mounts = container.volumeMounts.map((m) => ({
    from: m.mountPath,
    to: join(root, pod.spec.volumes.find((v) => v.name === m.name)!.hostPath.path),
  }));
  const mapPath = (value: string) => {
    const mount = mounts.find((m) => value === m.from || value.startsWith(`${m.from}/`));
    return mount ? mount.to + value.slice(mount.from.length) : value;
  };
  const [command, ...rest] = container.command;
  if (command !== "etcd") throw new Error(`static pod runs ${command}, not etcd`);
  const flags: Record<string, string> = {};
  const args = rest.map((arg) => {
    const m = /^--([^=]+)=(.*)$/.exec(arg);
    if (!m) throw new Error(`unexpected argument ${arg}`);
    const value = mapPath(m[2]!);
    flags[m[1]!] = value;
    return `--${m[1]}=${value}`;
  });
  const port = (p: Probe) => (typeof p.httpGet.port === "number" ? p.httpGet.port : container.ports.find((x) => x.name === p.httpGet.port)!.containerPort);
  const probes = [container.livenessProbe, container.readinessProbe, container.startupProbe]
    .filter((p): p is Probe => p !== undefined)
    .map((p) => ({ path: p.httpGet.path, port: port(p), host: p.httpGet.host }));
  // The image's etcd: here the test's, by its full path.
  return { root, binary: etcd.etcd, args, env: {}, flags, probes, etcd };
}

export function startMember(lab: NetLab, ns: string, member: MemberRoot): HostProcess {
  return lab.start(ns, member.binary, member.args, { PATH: member.etcd.path, ...member.env });
}
