// The npm package as a user gets it: `npm pack` on a fresh clone (so prepack builds it), a tarball
// holding only what runs, installed globally into an empty prefix, and every command run from an
// unrelated folder with a clean environment.
import { execFile, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { REPO, tempDir } from "./helpers/fs.js";

const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { name: string; version: string };

/** What the package may hold: the compiled sources, the schema they import, and the documents. */
const SHIPPED = /^(package\.json|README\.md|LICENSE(\.\w+)?|dist\/src\/.+\.js|dist\/schemas\/[^/]+\.json)$/;
/** A bound that catches fixtures, tests or dependencies slipping in (today: about 180 kB). */
const MAX_UNPACKED_BYTES = 512 * 1024;
const NPM_TIMEOUT_MS = 5 * 60 * 1000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without a shell; a hung one is killed, so it fails the test instead of stalling it. */
function run(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr: code === -1 ? `${stderr}${error?.message}` : stderr });
      },
    );
  });
}

function succeeded(r: Run, what: string): Run {
  assert.is(r.code, 0, `${what} exited ${r.code}:\n${r.stderr.slice(-4000)}`);
  return r;
}

/**
 * npm's environment: this one, less what `npm exec` (npx uvu) exported about the project it was
 * started in (npm_package_*, npm_lifecycle_*, npm_config_prefix, npm_config_local_prefix...), which
 * would aim the inner npm at this repository or the real global prefix. How to reach the registry
 * and the cache stays, so the install is as offline as the warm cache allows.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|userconfig|globalconfig|registry|cafile|ca|proxy|https_proxy|noproxy|strict_ssl)$/i;
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !(/^npm_/i.test(k) || k === "INIT_CWD") || keep.test(k)));
}

/** The repository as a fresh clone has it (tracked and untracked-but-not-ignored files, as they are now): no dist/, no node_modules/. */
function cloneWorkingTree(dest: string): void {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed in ${REPO}: is git installed and this a clone? ${listed.stderr ?? ""}${listed.error ?? ""}`);
  for (const file of listed.stdout.split("\0")) {
    // A tracked file deleted in the working tree is listed but gone from a clone of the next commit.
    // node_modules as a symlink escapes .gitignore's "node_modules/" (a folder pattern); it is linked below.
    if (file === "" || file === "node_modules" || !existsSync(join(REPO, file))) continue;
    cpSync(join(REPO, file), join(dest, file));
  }
}

/** The names in --help's COMMANDS section, so that commands added later are covered too. */
function helpCommands(help: string): string[] {
  const section = /^COMMANDS\n\n((?:[ \t]+\S.*\n)+)/m.exec(help);
  return (section?.[1] ?? "").split("\n").filter((line) => line.trim() !== "").map((line) => line.trim().split(/\s+/)[0]!);
}

function sourceModules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceModules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

test("package :: packed from a fresh clone, installed globally, every command runs from another folder", async () => {
  const tmp = tempDir("etcdgen-package-");
  try {
    const clone = join(tmp.path, "clone");
    const packed = join(tmp.path, "packed");
    const prefix = join(tmp.path, "prefix");
    const work = join(tmp.path, "work");
    for (const dir of [clone, packed, work]) mkdirSync(dir);

    cloneWorkingTree(clone);
    assert.not.ok(existsSync(join(clone, "dist")), "a fresh clone has no dist/");
    // The build needs the development dependencies; a link costs nothing and npm pack only reads them.
    if (!existsSync(join(REPO, "node_modules"))) throw new Error("node_modules is missing: run npm ci (make test does)");
    symlinkSync(join(REPO, "node_modules"), join(clone, "node_modules"), "dir");

    const npm = npmEnv();
    // With --json, npm sends the prepack script's output to stderr, so stdout is the report alone.
    const pack = succeeded(
      await run("npm", ["pack", "--json", "--pack-destination", packed], { cwd: clone, env: npm, timeoutMs: NPM_TIMEOUT_MS }),
      "npm pack",
    );
    const report = (JSON.parse(pack.stdout) as { filename: string; unpackedSize: number }[])[0]!;
    const tarball = join(packed, report.filename);

    // What is in the tarball itself, not what npm says it put there.
    const listing = succeeded(await run("tar", ["-tzf", tarball], { cwd: tmp.path, env: process.env }), "tar -tzf");
    const files = listing.stdout.split("\n").filter((f) => f !== "" && !f.endsWith("/")).map((f) => f.replace(/^package\//, ""));
    for (const needed of ["package.json", "README.md", "dist/src/bin.js", "dist/schemas/cluster.schema.json"])
      assert.ok(files.includes(needed), `the package lacks ${needed}`);
    // Nothing from test/, fixtures/, no source maps, no .ts sources: only what runs.
    assert.equal(files.filter((f) => !SHIPPED.test(f)), [], "files the package must not ship");
    const modules = sourceModules(join(clone, "src")).map((f) => `dist/${relative(clone, f).replace(/\.ts$/, ".js")}`);
    assert.equal(modules.filter((m) => !files.includes(m)), [], "compiled modules missing from the package");
    assert.ok(report.unpackedSize < MAX_UNPACKED_BYTES, `the package unpacks to ${report.unpackedSize} bytes; what is in it that does not run?`);

    succeeded(
      await run("npm", ["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", tarball], {
        cwd: tmp.path,
        env: npm,
        timeoutMs: NPM_TIMEOUT_MS,
      }),
      "npm install -g",
    );

    // Only the prefix's bin and node (for the shebang's env): nothing of this repository or its npm run.
    const env = { PATH: `${join(prefix, "bin")}:${dirname(process.execPath)}`, HOME: work };
    const etcdgen = (...args: string[]) => run("etcdgen", args, { cwd: work, env });

    const [version, help, schema, init] = await Promise.all([etcdgen("--version"), etcdgen("--help"), etcdgen("schema"), etcdgen("init")]);
    assert.is(succeeded(version, "etcdgen --version").stdout.trim(), pkg.version);
    const commands = helpCommands(succeeded(help, "etcdgen --help").stdout);
    for (const name of ["build", "check", "init", "schema"]) assert.ok(commands.includes(name), `--help's COMMANDS lacks ${name}: ${commands.join(", ")}`);
    assert.equal(
      JSON.parse(succeeded(schema, "etcdgen schema").stdout),
      JSON.parse(readFileSync(join(clone, "schemas", "cluster.schema.json"), "utf8")),
    );
    writeFileSync(join(work, "cluster.toml"), succeeded(init, "etcdgen init").stdout);

    const [check, ...helps] = await Promise.all([etcdgen("check", "cluster.toml"), ...commands.map((name) => etcdgen(name, "--help"))]);
    commands.forEach((name, i) => assert.match(succeeded(helps[i]!, `etcdgen ${name} --help`).stdout, `USAGE etcdgen ${name}`));
    assert.match(succeeded(check, "etcdgen check cluster.toml").stdout, "cluster.toml: ok");

    succeeded(await etcdgen("build", "cluster.toml"), "etcdgen build cluster.toml");
    const manifest = JSON.parse(readFileSync(join(work, "out", "manifest.json"), "utf8")) as { generator: string; nodes: { name: string }[] };
    assert.is(manifest.generator, `etcdgen ${pkg.version}`);
    assert.ok(manifest.nodes.length > 0, "the manifest lists no node");
    for (const node of manifest.nodes) assert.ok(existsSync(join(work, "out", node.name, "user-data")), `out/${node.name}/user-data is missing`);
    assert.ok(existsSync(join(work, "cluster.pki", "ca.crt")), "the state folder cluster.pki/ was not written");
  } finally {
    tmp.remove();
  }
});

test.run();
