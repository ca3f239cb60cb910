import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { compileCluster } from "../src/compile.js";
import { wantsColor } from "../src/cli.js";
import { runCli } from "./helpers/cli.js";
import { run } from "./helpers/tools.js";
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
    assert.match(refused.stderr, /cluster\.toml:\d+:1: error\[E_STATE_CERT_STALE\]: certificates server\/etcd-2, peer\/etcd-2 no longer match/);
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

test("cli :: --help lists --version, import-ca and NO_COLOR", async () => {
  const r = await runCli(["--help"]);
  for (const word of ["--version", "import-ca", "NO_COLOR", "SOURCE_DATE_EPOCH"]) assert.match(r.stdout, word);
});

test("cli :: NO_COLOR turns colour off only when it is not empty", () => {
  assert.ok(wantsColor(true, {}));
  assert.ok(wantsColor(true, { NO_COLOR: "" }));
  assert.not.ok(wantsColor(true, { NO_COLOR: "1" }));
  assert.not.ok(wantsColor(false, {}));
});

test("cli :: the state folder is created 0700 with a .gitignore that keeps it out of git", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const tree = snapshotTree(dir);
    assert.is(tree["cluster.pki/"], "700");
    assert.ok(tree["cluster.pki/.gitignore"]);
    // The real git: `git add .` in the cluster's folder stages no key and no certificate.
    for (const args of [["init", "-q"], ["add", "."]]) assert.is(run("git", args, { cwd: dir }).code, 0);
    const staged = run("git", ["diff", "--cached", "--name-only"], { cwd: dir }).stdout.split("\n").filter(Boolean);
    assert.ok(staged.includes("cluster.toml"));
    assert.equal(staged.filter((p) => p.startsWith("cluster.pki/")), []);
  });
});

test("cli :: a lost state folder is not replaced by a new CA (exit 3) unless --new-ca says so", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const recorded = (JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as { ca: { sha256: string } }).ca.sha256;
    // The fingerprint is the one openssl computes for the CA certificate.
    const fromOpenssl = run("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", join(dir, "cluster.pki", "ca.crt")]).stdout;
    assert.is(fromOpenssl.trim().split("=")[1], recorded);
    renameSync(join(dir, "cluster.pki"), join(dir, "elsewhere"));
    const before = snapshotTree(dir);
    const refused = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, "error[E_STATE_CA_MISSING]");
    assert.match(refused.stderr, recorded);
    assert.match(refused.stderr, "--new-ca");
    assert.equal(snapshotTree(dir), before, "nothing written");
    const meant = await runCli(["build", "cluster.toml", "--new-ca"], { cwd: dir });
    assert.is(meant.code, 0, meant.stderr);
    const now = (JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as { ca: { sha256: string } }).ca.sha256;
    assert.is.not(now, recorded);
    assert.match(meant.stdout, `new CA ${now} replaces the CA ${recorded} the output folder was built with`);
  });
});

test("cli :: --new-ca says which CA signed what", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const old = (JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as { ca: { sha256: string } }).ca.sha256;
    const r = await runCli(["build", "cluster.toml", "--new-ca"], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    const fresh = (JSON.parse(readFileSync(join(dir, "out", "manifest.json"), "utf8")) as { ca: { sha256: string } }).ca.sha256;
    assert.match(r.stdout, `new CA ${fresh} replaces the previous one`);
    assert.match(r.stdout, `reissued server/etcd-1 (signed by the previous CA ${old})`);
  });
});

test("cli :: a removed node's state files warn until --retire-orphans moves them under retired/", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const text = readFileSync(join(dir, "cluster.toml"), "utf8");
    // etcd-3 is replaced by etcd-4: new certificates for etcd-4, etcd-3's are left over.
    writeFileSync(join(dir, "cluster.toml"), text.replaceAll("etcd-3", "etcd-4"));
    const warned = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(warned.code, 0, warned.stderr);
    assert.is((warned.stderr.match(/W_STATE_ORPHAN/g) ?? []).length, 1, "one warning for the node");
    assert.match(warned.stderr, "peer/etcd-3, server/etcd-3");
    assert.match(warned.stderr, "0 errors, 1 warning");
    assert.match(warned.stderr, "--retire-orphans");
    const strict = await runCli(["build", "cluster.toml", "--strict"], { cwd: dir });
    assert.is(strict.code, 1);
    assert.match(strict.stderr, "(--strict: warnings fail)");
    const retired = await runCli(["build", "cluster.toml", "--retire-orphans"], { cwd: dir });
    assert.is(retired.code, 0, retired.stderr);
    assert.not.match(retired.stderr, "W_STATE_ORPHAN");
    assert.match(retired.stdout, "retired server/etcd-3");
    const tree = snapshotTree(join(dir, "cluster.pki"));
    assert.not.ok(tree["server/etcd-3.crt"]);
    assert.not.ok(tree["peer/etcd-3.key"]);
    const kept = Object.keys(tree).filter((p) => /^retired\/(server|peer)\/etcd-3\.[0-9a-f]+\.(crt|key)$/.test(p));
    assert.is(kept.length, 4);
    for (const p of kept.filter((k) => k.endsWith(".key"))) assert.ok(tree[p]!.startsWith("600 "));
    const again = await runCli(["build", "cluster.toml", "--strict"], { cwd: dir });
    assert.is(again.code, 0, again.stderr);
  });
});

test("cli :: retiring orphans twice, a lone key included, never loses a file", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const pki = join(dir, "cluster.pki");
    const stray = (content: string) => {
      mkdirSync(join(pki, "server"), { recursive: true });
      writeFileSync(join(pki, "server", "etcd-8.key"), content, { mode: 0o600 });
    };
    stray("first key\n");
    const first = await runCli(["build", "cluster.toml", "--retire-orphans"], { cwd: dir });
    assert.is(first.code, 0, first.stderr);
    assert.match(first.stdout, "retired server/etcd-8");
    stray("second key\n");
    assert.is((await runCli(["build", "cluster.toml", "--retire-orphans"], { cwd: dir })).code, 0);
    const retired = Object.keys(snapshotTree(pki)).filter((p) => p.startsWith("retired/server/etcd-8."));
    assert.is(retired.length, 2);
    const contents = retired.map((p) => readFileSync(join(pki, p), "utf8")).sort();
    assert.equal(contents, ["first key\n", "second key\n"]);
  });
});

test("cli :: a build prints a line as each new key is made, none when all are reused", async () => {
  await inClusterDir(async (dir) => {
    const first = await runCli(["build", "cluster.toml"], { cwd: dir });
    const lines = first.stderr.split("\n").filter((l) => l.startsWith("etcdgen: made key "));
    assert.is(lines.length, 10);
    assert.ok(lines.some((l) => l.endsWith(" for ca")));
    assert.match(first.stderr, "made key 10/10 for ");
    assert.not.match(first.stderr, ".gitignore", "a folder etcdgen creates needs no note");
    const again = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.not.match(again.stderr, "made key");
  });
});

test("cli :: a state folder made before it was protected gets its .gitignore and 0700 on the next build", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    rmSync(join(dir, "cluster.pki", ".gitignore"));
    chmodSync(join(dir, "cluster.pki"), 0o755);
    const r = await runCli(["build", "cluster.toml"], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, "added cluster.pki/.gitignore");
    const tree = snapshotTree(dir);
    assert.is(tree["cluster.pki/"], "700");
    assert.ok(tree["cluster.pki/.gitignore"]);
  });
});

test("cli :: - reads the cluster file from standard input, and needs --state", async () => {
  await inClusterDir(async (dir) => {
    const text = readFileSync(join(dir, "cluster.toml"), "utf8");
    const refused = await runCli(["build", "-"], { cwd: dir, stdin: text });
    assert.is(refused.code, 2);
    assert.match(refused.stderr, "--state");
    const r = await runCli(["build", "-", "--state", "pki"], { cwd: dir, stdin: text });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, "<stdin>: 3 nodes written");
    const checked = await runCli(["check", "-"], { cwd: dir, stdin: text.replace('ip = "10.0.0.12"', 'ip = "10.0.0.300"') });
    assert.is(checked.code, 1);
    assert.match(checked.stderr, /^<stdin>:\d+:\d+: error\[E_NODE_IP_INVALID\]/m);
  });
});

test("cli :: a missing [[nodes]] is explained in TOML's words", async () => {
  await inClusterDir(async (dir) => {
    writeFileSync(join(dir, "cluster.toml"), '[cluster]\nname = "lab"\netcd_version = "3.5.17"\n');
    const r = await runCli(["check", "cluster.toml"], { cwd: dir });
    assert.is(r.code, 1);
    assert.match(r.stderr, "error[E_MISSING_KEY]");
    assert.match(r.stderr, "hint: add at least one [[nodes]] table");
  });
});

test("cli :: every [[clients]] entry gets a bundle; the state folder is never needed to hand one out", async () => {
  await inClusterDir(async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    const out = snapshotTree(join(dir, "out"));
    for (const client of ["prometheus", "apiserver-etcd-client"]) {
      for (const file of ["ca.crt", `${client}.crt`, `${client}.key`, "etcdctl.env", "etcdctl"]) assert.ok(out[`clients/${client}/${file}`], `${client}/${file}`);
      assert.ok(out[`clients/${client}/${client}.key`]!.startsWith("600 "));
      assert.ok(out[`clients/${client}/etcdctl`]!.startsWith("755 "));
      assert.is(readFileSync(join(dir, "out", "clients", client, `${client}.crt`), "utf8"), readFileSync(join(dir, "cluster.pki", "client", `${client}.crt`), "utf8"));
    }
    assert.not.ok(Object.keys(out).some((p) => p.startsWith("clients/admin")), "admin has its own folder");
  });
});

test.run();
