// The etcd installations the end-to-end tests run every cluster on: the machine's own etcd 3.4
// (Debian 12's package, /usr/bin) and etcd 3.5 unpacked by scripts/install-test-deps into
// <repo>/.cache/etcd/<version>/usr/bin. Each is known by the version its binary reports. A missing
// one fails the test that needs it, with the command that installs it: nothing is skipped.
import { existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "./fs.js";

/** The etcd minor versions every end-to-end cluster runs on. */
export const TESTED_MINORS = ["3.4", "3.5"] as const;
export type TestedMinor = (typeof TESTED_MINORS)[number];

export const INSTALL_HINT = "install it as root with sudo make test-deps (scripts/install-test-deps; .ci/run does)";

export interface EtcdInstall {
  /** What `etcd --version` says, e.g. "3.5.16". */
  version: string;
  minor: TestedMinor;
  /** The folder with etcd and etcdctl (and etcdutl from 3.5). */
  bin: string;
  etcd: string;
  etcdctl: string;
  /** PATH with this installation's folder first, so a plain `etcdctl` is this version's. */
  path: string;
  /** Short and name-safe, for suite titles and namespace names: "3.5.16" -> "v35". */
  label: string;
}

const SYSTEM_BIN = "/usr/bin";
export const ETCD_CACHE = join(REPO, ".cache", "etcd");

function reportedVersion(binary: string, args: string[], pattern: RegExp): string | undefined {
  const r = spawnSync(binary, args, { encoding: "utf8", timeout: 10000 });
  return pattern.exec(r.stdout ?? "")?.[1];
}

/** An installation in `bin`, if etcd and etcdctl are there and agree on their version. */
function probe(bin: string): EtcdInstall | string | undefined {
  const etcd = join(bin, "etcd");
  const etcdctl = join(bin, "etcdctl");
  if (!existsSync(etcd)) return undefined;
  const version = reportedVersion(etcd, ["--version"], /^etcd Version: (\d+\.\d+\.\d+)$/m);
  if (!version) return `${etcd} does not report its version`;
  if (!existsSync(etcdctl)) return `${etcd} (${version}) has no etcdctl beside it`;
  const ctlVersion = reportedVersion(etcdctl, ["version"], /^etcdctl version: (\d+\.\d+\.\d+)$/m);
  if (ctlVersion !== version) return `${etcdctl} reports ${ctlVersion ?? "no version"}, ${etcd} ${version}`;
  const minor = version.split(".").slice(0, 2).join(".");
  if (!(TESTED_MINORS as readonly string[]).includes(minor)) return undefined;
  return {
    version,
    minor: minor as TestedMinor,
    bin,
    etcd,
    etcdctl,
    path: [bin, process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"].join(":"),
    label: `v${minor.replace(".", "")}`,
  };
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

let found: { installs: Map<TestedMinor, EtcdInstall>; problems: string[] } | undefined;

function discover() {
  if (found) return found;
  const installs = new Map<TestedMinor, EtcdInstall>();
  const problems: string[] = [];
  const cached = existsSync(ETCD_CACHE) ? readdirSync(ETCD_CACHE).filter((d) => !d.endsWith(".partial")).map((d) => join(ETCD_CACHE, d, "usr/bin")) : [];
  for (const bin of [SYSTEM_BIN, ...cached]) {
    const install = probe(bin);
    if (typeof install === "string") problems.push(install);
    else if (install) {
      // A pin moved on leaves the older version's folder behind: the newest of a minor wins.
      const have = installs.get(install.minor);
      if (!have || compareVersions(install.version, have.version) > 0) installs.set(install.minor, install);
    }
  }
  found = { installs, problems };
  return found;
}

/** The installation of one minor version; throws, saying how to install it, when it is missing. */
export function etcdInstall(minor: TestedMinor): EtcdInstall {
  const { installs, problems } = discover();
  const install = installs.get(minor);
  if (install) return install;
  const where = minor === "3.4" ? `${SYSTEM_BIN}/etcd (Debian 12's etcd-server)` : `${ETCD_CACHE}/*/usr/bin/etcd`;
  throw new Error(
    `etcd ${minor} is not installed for the end-to-end tests (looked for ${where})${problems.length ? `; ${problems.join("; ")}` : ""}; ${INSTALL_HINT}`,
  );
}

/** Every tested installation, oldest first; throws when one is missing. */
export function etcdInstalls(): EtcdInstall[] {
  return TESTED_MINORS.map(etcdInstall);
}

/** The cluster file's text with etcd_version set to the version the cluster will run. */
export function withEtcdVersion(toml: string, version: string): string {
  if (!/^etcd_version = "[^"]*"/m.test(toml)) throw new Error("the cluster file has no etcd_version line to replace");
  return toml.replace(/^etcd_version = "[^"]*"/m, `etcd_version = "${version}"`);
}

/** "etcd 3.5.16" for titles, or "etcd 3.5 (not installed)": the tests then fail, saying why. */
export function etcdTitle(minor: TestedMinor): string {
  const install = discover().installs.get(minor);
  return install ? `etcd ${install.version}` : `etcd ${minor} (not installed)`;
}
