// The example clusters under fixtures/ and builds of them for tests.
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, type CliRun } from "./cli.js";
import { etcdInstall, withEtcdVersion, type EtcdInstall } from "./etcd-versions.js";
import { REPO, tempDir } from "./fs.js";

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

/** The version of the machine's own etcd (Debian 12: 3.4.23), the one the boot test's guests run. */
export function localEtcdVersion(): string {
  return etcdInstall("3.4").version;
}

/**
 * Builds a fixture rendered for the etcd it will run on: flags differ by etcd version (3.4 rejects
 * 3.5's and 3.6's flags), and the end-to-end tests start the real thing. The cluster file is
 * copied to `<cwd>/cluster.toml` with etcd_version set to that installation's exact version.
 */
export async function buildFixtureForEtcd(name: string, etcd: EtcdInstall, cwd: string, state: string): Promise<CliRun> {
  const text = readFileSync(join(FIXTURES, name, "cluster.toml"), "utf8");
  writeFileSync(join(cwd, "cluster.toml"), withEtcdVersion(text, etcd.version));
  return runCli(["build", "cluster.toml", "-o", "out", "--state", state], { cwd });
}

const leftovers = new Set<{ remove(): void }>();

/** Shared state folders live as long as the test process: one exit hook removes them all. */
function removeAtExit(dir: { remove(): void }): void {
  if (leftovers.size === 0) process.once("exit", () => leftovers.forEach((d) => d.remove()));
  leftovers.add(dir);
}

/**
 * Builds of one fixture for several etcd versions that share one state folder: the keys (RSA-4096
 * takes seconds) are made once, by the first build; the others wait for it and build from a copy.
 */
export function fixtureBuilder(name: string): (cwd: string, etcd: EtcdInstall) => Promise<CliRun> {
  let shared: { path: string; remove(): void } | undefined;
  let first: Promise<CliRun> | undefined;
  return async (cwd, etcd) => {
    if (!first) {
      shared = tempDir("etcdgen-state-");
      removeAtExit(shared);
      first = buildFixtureForEtcd(name, etcd, cwd, join(shared.path, "state"));
      return first;
    }
    const made = await first;
    const state = join(cwd, "state");
    if (made.code === 0) cpSync(join(shared!.path, "state"), state, { recursive: true });
    return buildFixtureForEtcd(name, etcd, cwd, state);
  };
}

/** buildFixtureForEtcd on the machine's own etcd. */
export async function buildFixtureForLocalEtcd(name: string, cwd: string, state: string): Promise<CliRun> {
  return buildFixtureForEtcd(name, etcdInstall("3.4"), cwd, state);
}
