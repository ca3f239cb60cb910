// The README's examples are compiled, so they cannot go stale.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileCluster } from "../src/compile.js";
import { formatPath } from "../src/diag/diagnostic.js";
import { REPO } from "./helpers/fs.js";

const readme = readFileSync(join(REPO, "README.md"), "utf8");
const blocks = [...readme.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);

test("README :: has cluster file examples", () => {
  assert.ok(blocks.length >= 2);
});

blocks.forEach((block, i) => {
  test(`README :: cluster file example ${i + 1} compiles without a diagnostic`, () => {
    const { cluster, diagnostics } = compileCluster(block);
    assert.equal(diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`), []);
    assert.ok(cluster);
  });
});

test("README :: documents every exit code the CLI defines", async () => {
  const { EXIT } = await import("../src/cli.js");
  for (const code of Object.values(EXIT)) assert.match(readme, new RegExp(`^\\| ${code} \\|`, "m"));
});

test("README :: documents every fixture", async () => {
  const { fixtureNames } = await import("./helpers/fixtures.js");
  for (const name of fixtureNames()) assert.match(readme, `\`${name}\``);
});

test.run();
