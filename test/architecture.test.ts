// The pipeline stays pure: only the CLI edge (cli.ts, bin.ts) and io/ touch files, the process,
// the clock or the random source.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { REPO } from "./helpers/fs.js";

const SRC = join(REPO, "src");
const EDGE = new Set(["cli.ts", "bin.ts"]);
const FORBIDDEN = [/from "node:fs"/, /\bprocess\./, /Date\.now\(/, /Math\.random\(/, /new Date\(\)/, /from "node:child_process"/];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("architecture :: pure stages do no I/O and reach for no clock or randomness", () => {
  const offenders: string[] = [];
  for (const file of sources(SRC)) {
    const rel = relative(SRC, file);
    if (EDGE.has(rel) || rel.startsWith("io/")) continue;
    const text = readFileSync(file, "utf8");
    for (const pattern of FORBIDDEN) if (pattern.test(text)) offenders.push(`${rel}: ${pattern}`);
  }
  assert.equal(offenders, []);
});

test("architecture :: every diagnostic code used is in the catalogue, and every one is used", async () => {
  const { CODES } = await import("../src/diag/codes.js");
  const used = new Set<string>();
  for (const file of sources(SRC)) for (const m of readFileSync(file, "utf8").matchAll(/"([EW]_[A-Z0-9_]+)"/g)) used.add(m[1]!);
  const catalogue = new Set(Object.keys(CODES));
  assert.equal([...used].filter((c) => !catalogue.has(c)), []);
  const raisers = sources(SRC).filter((f) => !f.endsWith(join("diag", "codes.ts")));
  const unused = [...catalogue].filter((c) => !raisers.some((f) => new RegExp(`\\b${c}\\b`).test(readFileSync(f, "utf8"))));
  assert.equal(unused, []);
});

test.run();
