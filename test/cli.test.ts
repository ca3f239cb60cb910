import { mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileCluster } from "../src/compile.js";
import { runCli } from "./helpers/cli.js";
import { REPO, snapshotTree, tempDir } from "./helpers/fs.js";

/** A temporary folder holding `cluster.toml` (etcdgen init's example), removed afterwards. */
async function inClusterDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, "cluster.toml"), (await runCli(["init"])).stdout);
    await body(dir.path);
  } finally {
    dir.remove();
  }
}

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string };

test("cli :: --help lists the commands and the exit codes", async () => {
  const r = await runCli(["--help"]);
  assert.is(r.code, 0);
  for (const word of ["build", "check", "init", "schema", "EXIT CODES"]) assert.match(r.stdout, word);
});

test("cli :: build --help explains the options", async () => {
  const r = await runCli(["build", "--help"]);
  assert.is(r.code, 0);
  for (const word of ["--out", "--state", "--redact", "--reissue-stale", "--new-ca", "--strict"]) assert.match(r.stdout, word);
});

test("cli :: no command is a usage error", async () => {
  assert.is((await runCli([])).code, 2);
});

test("cli :: usage errors exit 2 and say what is wrong", async () => {
  for (const [argv, words] of [
    [["biuld", "x.toml"], "unknown command"],
    [["build", "x.toml", "--redcat"], "unknown option --redcat"],
    [["build"], "missing argument"],
    [["build", "a.toml", "b.toml"], 'unexpected argument "b.toml"'],
    [["build", "a.toml", "--state"], "needs a value"],
    [["init", "extra"], "unexpected argument"],
  ] as const) {
    const r = await runCli([...argv]);
    assert.is(r.code, 2, argv.join(" "));
    assert.match(r.stderr, words);
    assert.match(r.stderr, "--help");
  }
});

test("cli :: --version is package.json's", async () => {
  const r = await runCli(["--version"]);
  assert.is(r.stdout.trim(), pkg.version);
});

test("cli :: init prints a cluster file that compiles cleanly", async () => {
  const r = await runCli(["init"]);
  assert.is(r.code, 0);
  const compiled = compileCluster(r.stdout);
  assert.equal(compiled.diagnostics, []);
  assert.is(compiled.cluster!.nodes.length, 3);
});

test("cli :: schema prints schemas/cluster.schema.json", async () => {
  const r = await runCli(["schema"]);
  assert.is(r.code, 0);
  assert.equal(JSON.parse(r.stdout), JSON.parse(readFileSync(join(REPO, "schemas", "cluster.schema.json"), "utf8")));
});

test("cli :: check validates and writes nothing", async () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, "c.toml"), (await runCli(["init"])).stdout);
    const r = await runCli(["check", "c.toml"], { cwd: dir.path });
    assert.is(r.code, 0, r.stderr);
    assert.equal(Object.keys(snapshotTree(dir.path)), ["c.toml"]);
  } finally {
    dir.remove();
  }
});

test("cli :: a missing cluster file is invalid input", async () => {
  const dir = tempDir();
  try {
    const r = await runCli(["build", "nope.toml"], { cwd: dir.path });
    assert.is(r.code, 1);
    assert.match(r.stderr, "E_FILE_UNREADABLE");
  } finally {
    dir.remove();
  }
});

test("cli :: a second build leaves the state folder byte-identical", async () => {
  await inClusterDir(async (dir) => {
    const first = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(first.code, 0, first.stderr);
    const before = snapshotTree(join(dir, "cluster.pki"));
    assert.ok(Object.keys(before).includes("ca.key"));
    const second = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(second.code, 0, second.stderr);
    assert.equal(snapshotTree(join(dir, "cluster.pki")), before);
  });
});

test("cli :: a stale certificate stops the build (exit 3) until --reissue-stale", async () => {
  const dir = tempDir();
  try {
    const toml = (await runCli(["init"])).stdout;
    writeFileSync(join(dir.path, "cluster.toml"), toml);
    assert.is((await runCli(["build", "cluster.toml", "--state", "pki"], { cwd: dir.path })).code, 0);
    const before = snapshotTree(join(dir.path, "pki"));
    writeFileSync(join(dir.path, "cluster.toml"), toml.replace('dns = ["etcd-2.k8s.lan"]', 'dns = ["etcd-2.k8s.lan", "etcd-2.example.org"]'));
    const refused = await runCli(["build", "cluster.toml", "--state", "pki"], { cwd: dir.path });
    assert.is(refused.code, 3);
    assert.match(refused.stderr, /cluster\.toml:\d+:1: error\[E_STATE_CERT_STALE\]: certificate server\/etcd-2 no longer matches/);
    assert.match(refused.stderr, "DNS SAN added: etcd-2.example.org");
    assert.equal(snapshotTree(join(dir.path, "pki")), before, "state untouched");
    const reissued = await runCli(["build", "cluster.toml", "--state", "pki", "--reissue-stale"], { cwd: dir.path });
    assert.is(reissued.code, 0, reissued.stderr);
    const after = snapshotTree(join(dir.path, "pki"));
    assert.is.not(after["server/etcd-2.crt"], before["server/etcd-2.crt"]);
    assert.is(after["server/etcd-1.crt"], before["server/etcd-1.crt"]);
    assert.is(after["ca.key"], before["ca.key"]);
    const retired = Object.keys(after).filter((p) => p.startsWith("retired/server/etcd-2."));
    assert.is(retired.length, 2);
    for (const p of retired) if (p.endsWith(".key")) assert.ok(after[p]!.startsWith("600 "));
  } finally {
    dir.remove();
  }
});

test("cli :: a state path that is not a folder is reported", async () => {
  await inClusterDir(async (dir) => {
    writeFileSync(join(dir, "cluster.pki"), "");
    const r = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(r.code, 3);
    assert.match(r.stderr, "not a folder");
  });
});

test("cli :: a state folder inside the output folder is refused", async () => {
  await inClusterDir(async (dir) => {
    const r = await runCli(["build", "cluster.toml", "-o", "out", "--state", "out/pki"], { cwd: dir });
    assert.is(r.code, 2);
    assert.match(r.stderr, "E_STATE_INSIDE_OUTPUT");
    assert.equal(Object.keys(snapshotTree(dir)), ["cluster.toml"]);
  });
});

test("cli :: an output folder etcdgen did not write is refused, a manifest.json of someone else's too", async () => {
  await inClusterDir(async (dir) => {
    mkdirSync(join(dir, "out"));
    writeFileSync(join(dir, "out", "manifest.json"), '{"manifest_version": 3}');
    writeFileSync(join(dir, "out", "background.js"), "keep me");
    const r = await runCli(["build", "cluster.toml", "-o", "out"], { cwd: dir });
    assert.is(r.code, 2);
    assert.match(r.stderr, "did not write");
    assert.is(readFileSync(join(dir, "out", "background.js"), "utf8"), "keep me");
  });
});

test("cli :: a rebuild replaces its own output folder", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    writeFileSync(join(dir, "out", "stray"), "x");
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    assert.not.ok(Object.keys(snapshotTree(join(dir, "out"))).includes("stray"));
    assert.is((snapshotTree(dir)["out/"]), "700");
  });
});

test("cli :: state files may be links (a secrets store): they are read, not replaced", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml", "--state", "store"], { cwd: dir })).code, 0);
    mkdirSync(join(dir, "linked"), { mode: 0o700 });
    for (const name of ["ca.crt", "ca.key"]) symlinkSync(join(dir, "store", name), join(dir, "linked", name));
    renameSync(join(dir, "store", "server"), join(dir, "linked", "server"));
    symlinkSync(join(dir, "store", "peer"), join(dir, "linked", "peer"));
    symlinkSync(join(dir, "store", "client"), join(dir, "linked", "client"));
    writeFileSync(join(dir, "linked", "token"), readFileSync(join(dir, "store", "token")));
    const r = await runCli(["build", "cluster.toml", "--state", "linked"], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, /\b(\d+) of \1 certificates reused/);
    assert.not.match(r.stdout, "created");
  });
});

test("cli :: a state folder that cannot be created fails with exit 4, and no output is written", async () => {
  // A path below a file cannot be created by anyone, root included.
  await inClusterDir(async (dir) => {
    mkdirSync(join(dir, "blocked"));
    writeFileSync(join(dir, "blocked", "file"), "");
    const r = await runCli(["build", "cluster.toml", "--state", "blocked/file/pki"], { cwd: dir });
    assert.is(r.code, 4, r.stderr);
    assert.match(r.stderr, "writing the state folder");
    assert.not.ok(Object.keys(snapshotTree(dir)).some((p) => p.startsWith("out")));
  });
});

test.run();
