// Golden files: each fixture's output, raw (from its committed test-only state) and redacted.
// `make golden` (UPDATE_GOLDEN=1) rewrites them; review `git diff fixtures` before committing.
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "./helpers/cli.js";
import { listFiles, snapshotTree, tempDir } from "./helpers/fs.js";
import { buildFixture, FIXTURES, fixtureNames } from "./helpers/fixtures.js";

const UPDATE = process.env.UPDATE_GOLDEN === "1";

function assertSameTree(actual: string, expected: string, label: string, transform = (text: string) => text): void {
  assert.ok(existsSync(expected), `${label}: ${expected} is missing; run make golden`);
  assert.equal(listFiles(actual), listFiles(expected), `${label}: the same files`);
  for (const file of listFiles(expected)) {
    const got = transform(readFileSync(join(actual, file), "utf8"));
    const want = readFileSync(join(expected, file), "utf8");
    if (got !== want) assert.fixture(got, want, `${label}: ${file} differs from the golden file; run make golden if the change is intended`);
  }
}

function caFingerprint(out: string): string {
  const sha256 = (JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { ca?: { sha256?: string } }).ca?.sha256;
  assert.type(sha256, "string", `${out}/manifest.json records the CA's fingerprint`);
  return sha256!;
}

function replaceTree(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  cpSync(from, to, { recursive: true });
}

for (const name of fixtureNames()) {
  test(`golden :: ${name} :: raw output from the committed state`, async () => {
    const dir = tempDir();
    const state = join(FIXTURES, name, "state");
    try {
      if (!UPDATE) assert.ok(existsSync(state), `${state} is missing; run make golden`);
      const before = existsSync(state) ? snapshotTree(state) : undefined;
      const r = await buildFixture(name, dir.path, state);
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stderr, "", "no warnings in a fixture");
      if (before) assert.equal(snapshotTree(state), before, "the committed state is reused as it is");
      if (UPDATE) replaceTree(join(dir.path, "out"), join(FIXTURES, name, "expected"));
      assertSameTree(join(dir.path, "out"), join(FIXTURES, name, "expected"), name);
    } finally {
      dir.remove();
    }
  });

  test(`golden :: ${name} :: redacted output, with or without a state folder`, async () => {
    const withState = tempDir();
    const fresh = tempDir();
    try {
      const a = await buildFixture(name, withState.path, join(FIXTURES, name, "state"), ["--redact"]);
      assert.is(a.code, 0, a.stderr);
      if (UPDATE) replaceTree(join(withState.path, "out"), join(FIXTURES, name, "expected.redacted"));
      assertSameTree(join(withState.path, "out"), join(FIXTURES, name, "expected.redacted"), `${name} redacted`);
      const b = await buildFixture(name, fresh.path, join(fresh.path, "new-state"), ["--redact"]);
      assert.is(b.code, 0, b.stderr);
      // A new state means a new CA: its fingerprint, and nothing else, must show in review.
      const newCa = caFingerprint(join(fresh.path, "out"));
      const committedCa = caFingerprint(join(FIXTURES, name, "expected.redacted"));
      assert.is.not(newCa, committedCa, "a new CA shows in the redacted output");
      const text = readFileSync(join(fresh.path, "out", "manifest.json"), "utf8");
      assert.match(text, newCa);
      assertSameTree(join(fresh.path, "out"), join(FIXTURES, name, "expected.redacted"), `${name} redacted from a new state`, (t) => t.replaceAll(newCa, committedCa));
      for (const file of listFiles(join(fresh.path, "out"))) {
        const text = readFileSync(join(fresh.path, "out", file), "utf8");
        assert.not.match(text, "-----BEGIN", `${file} holds no PEM block`);
      }
    } finally {
      withState.remove();
      fresh.remove();
    }
  });
}

test("golden :: two builds from the same state are byte-identical", async () => {
  const a = tempDir();
  const b = tempDir();
  try {
    const state = join(a.path, "state");
    assert.is((await buildFixture("homelab", a.path, state)).code, 0);
    assert.is((await buildFixture("homelab", b.path, state)).code, 0);
    assert.equal(snapshotTree(join(a.path, "out")), snapshotTree(join(b.path, "out")));
  } finally {
    a.remove();
    b.remove();
  }
});

test("golden :: first build and rebuild, on the real clock, with -o spelled three ways, are byte-identical", async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, "cluster.toml"), readFileSync(join(FIXTURES, "homelab", "cluster.toml")));
    const build = async (out: string) => {
      // No SOURCE_DATE_EPOCH: the real clock, milliseconds and all.
      const r = await runCli(["build", "cluster.toml", "-o", out, "--state", "pki"], { cwd: dir.path });
      assert.is(r.code, 0, r.stderr);
    };
    await build("first");
    assert.match(readFileSync(join(dir.path, "first", "manifest.json"), "utf8"), /"notBefore": "[^"]+\.000Z"/);
    await build("./second/");
    await build(join(dir.path, "third"));
    const first = snapshotTree(join(dir.path, "first"));
    assert.ok(Object.keys(first).length > 20);
    assert.equal(snapshotTree(join(dir.path, "second")), first, "first build vs rebuild");
    assert.equal(snapshotTree(join(dir.path, "third")), first, "-o absolute vs relative");
  } finally {
    dir.remove();
  }
});

test.run();
