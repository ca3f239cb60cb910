// The bad-input suite: every folder under fixtures/errors is a cluster file etcdgen must refuse
// with exactly the diagnostics its hand-written `expected` lists, the right exit code, and
// nothing written.
import { copyFileSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "./helpers/cli.js";
import { listFiles, REPO, tempDir } from "./helpers/fs.js";

const CASES = join(REPO, "fixtures", "errors");

/** `cluster.toml:12:6: error[E_X]: message (nodes[0].ip)` -> `12:6 error E_X nodes[0].ip` */
function diagnosticsOf(stderr: string): string[] {
  const out: string[] = [];
  for (const line of stderr.split("\n")) {
    const m = /^cluster\.toml(?::(\d+):(\d+))?: (error|warning)\[(\w+)\]: .*?(?: \(([^()]+)\))?$/.exec(line);
    if (!m) continue;
    const where = m[1] ? `${m[1]}:${m[2]}` : "-";
    out.push([where, m[3], m[4], m[5]].filter((x) => x !== undefined).join(" "));
  }
  return out;
}

const cases = readdirSync(CASES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

test("bad input :: the suite has at least 20 cases", () => {
  assert.ok(cases.length >= 20, `${cases.length} cases`);
});

for (const name of cases) {
  test(`bad input :: ${name}`, async () => {
    const lines = readFileSync(join(CASES, name, "expected"), "utf8").trim().split("\n");
    const exit = Number(lines.shift()!.replace(/^exit /, ""));
    const args = lines[0]?.startsWith("args ") ? lines.shift()!.slice(5).split(" ") : [];
    const dir = tempDir();
    try {
      copyFileSync(join(CASES, name, "cluster.toml"), join(dir.path, "cluster.toml"));
      const r = await runCli(["build", "cluster.toml", "-o", "out", ...args], { cwd: dir.path });
      assert.is(r.code, exit, r.stderr);
      assert.equal(diagnosticsOf(r.stderr), lines, r.stderr);
      // Each diagnostic comes with a hint that says how to fix it.
      assert.is((r.stderr.match(/^ {2}hint: /gm) ?? []).length, lines.length, r.stderr);
      assert.equal(listFiles(dir.path), ["cluster.toml"], "nothing written");
      assert.is(r.stdout, "");
    } finally {
      dir.remove();
    }
  });
}

test.run();
