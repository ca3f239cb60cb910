// The example clusters under fixtures/ and builds of them for tests.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { runCli, type CliRun } from "./cli.js";
import { REPO } from "./fs.js";

export const FIXTURES = join(REPO, "fixtures");
/** The clock golden builds run at, so the committed test-only state never expires under them. */
export const GOLDEN_EPOCH = "1767225600"; // 2026-01-01T00:00:00Z

/** Every fixture with a cluster file, errors/ excepted. */
export function fixtureNames(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== "errors" && existsSync(join(FIXTURES, e.name, "cluster.toml")))
    .map((e) => e.name)
    .sort();
}

/** Builds a fixture into `<cwd>/out` with the given state folder. */
export async function buildFixture(name: string, cwd: string, state: string, extra: string[] = []): Promise<CliRun> {
  return runCli(["build", join(FIXTURES, name, "cluster.toml"), "-o", "out", "--state", state, ...extra], {
    cwd,
    env: { SOURCE_DATE_EPOCH: GOLDEN_EPOCH },
  });
}

/** The version of the etcd on this machine (Debian 12: 3.4.23). */
export function localEtcdVersion(): string {
  const r = spawnSync("etcd", ["--version"], { encoding: "utf8" });
  const m = /etcd Version: (\d+\.\d+\.\d+)/.exec(r.stdout ?? "");
  if (!m) throw new Error("cannot tell the version of etcd: is it installed? apt-get install -y etcd-server");
  return m[1]!;
}

/**
 * Builds a fixture rendered for the etcd this machine runs: flags differ by etcd version (3.6
 * rejects nothing 3.4 needs, but 3.4 rejects 3.6's feature gates), and the end-to-end tests start
 * the real thing.
 */
export async function buildFixtureForLocalEtcd(name: string, cwd: string, state: string): Promise<CliRun> {
  const text = readFileSync(join(FIXTURES, name, "cluster.toml"), "utf8");
  const local = text.replace(/^etcd_version = "[^"]*"/m, `etcd_version = "${localEtcdVersion()}"`);
  writeFileSync(join(cwd, "cluster.toml"), local);
  return runCli(["build", "cluster.toml", "-o", "out", "--state", state], { cwd });
}
