// The example clusters under fixtures/ and builds of them for tests.
import { existsSync, readdirSync } from "node:fs";
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
