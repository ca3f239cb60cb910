// The boot test: etcdgen's output booted in real Debian 12 guests through cloud-init.
//
//   node dist/test/boot/boot-test.js              the built-in cases (make boot-test)
//   node dist/test/boot/boot-test.js --out DIR    boot one guest per node of a built output folder
//                                                 (make boot-test OUT=DIR), e.g. your own cluster's
//
// Needs root, overlayfs, network namespaces, systemd-nspawn (systemd-container) and mmdebstrap.
// Prints timings, ends with "boot-test: N passed, N failed", and exits non-zero on a failure.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../helpers/cli.js";
import { FIXTURES, localEtcdVersion } from "../helpers/fixtures.js";
import { REPO } from "../helpers/fs.js";
import { BootLab, type Guest } from "./lab.js";
import { ensureRootfs } from "./rootfs.js";

const CACHE = join(REPO, ".tmp", "boot");
const HOST_V4 = 1; // the host's address on the bridge: .1 of the nodes' /24
const TARBALL_PORT = 8080;
const CLOUD_INIT_TIMEOUT_MS = 180000;

const log = (line: string) => process.stdout.write(`boot: ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

interface Manifest {
  nodes: { name: string; ip: string }[];
}

function requirements(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (network namespaces, overlay mounts, containers)");
  const has = (cmd: string) => spawnSync("sh", ["-c", `command -v ${cmd}`]).status === 0;
  if (!has("systemd-nspawn")) missing.push("systemd-nspawn: apt-get install -y systemd-container");
  if (!has("mmdebstrap")) missing.push("mmdebstrap: apt-get install -y mmdebstrap");
  if (!has("ip")) missing.push("ip: apt-get install -y iproute2");
  if (!has("etcdctl")) missing.push("etcdctl: apt-get install -y etcd-client");
  if (!readFileSync("/proc/filesystems", "utf8").includes("overlay")) missing.push("overlayfs in the kernel");
  return missing;
}

/** The bridge address of the lab: .1 in the nodes' IPv4 /24, or ::1 of their IPv6 /64. */
function hostAddress(nodeIp: string): string {
  if (nodeIp.includes(":")) return `${nodeIp.replace(/:[0-9a-f]*$/, `:${HOST_V4}`)}/64`;
  return `${nodeIp.replace(/\.\d+$/, `.${HOST_V4}`)}/24`;
}

function prefixed(ip: string): string {
  return `${ip}/${ip.includes(":") ? 64 : 24}`;
}

async function waitForCloudInit(guest: Guest): Promise<{ status: string; ms: number; detail: string }> {
  const until = Date.now() + CLOUD_INIT_TIMEOUT_MS;
  while (!guest.leader()) {
    if (Date.now() > until || guest.process?.exitCode !== null) throw new Error(`${guest.spec.name} did not boot:\n${guest.console.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let r = guest.exec(["cloud-init", "status", "--wait"], CLOUD_INIT_TIMEOUT_MS);
  // cloud-init status needs the guest's systemd up; early on nsenter can race the boot.
  while (r.code !== 0 && !/status: (done|error)/.test(r.stdout) && Date.now() < until) {
    await new Promise((res) => setTimeout(res, 500));
    r = guest.exec(["cloud-init", "status", "--wait"], CLOUD_INIT_TIMEOUT_MS);
  }
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? "unknown";
  const long = guest.exec(["cloud-init", "status", "--long"]);
  return { status, ms: Date.now() - guest.bootStarted, detail: long.stdout + long.stderr };
}

/** Boots every node of a built output folder; returns the lab, still running, and the guests. */
async function bootOutput(outDir: string, rootfs: string, workDir: string): Promise<{ lab: BootLab; guests: Guest[] }> {
  const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Manifest;
  const lab = new BootLab(workDir, rootfs, hostAddress(manifest.nodes[0]!.ip));
  labs.add(lab);
  const guests = manifest.nodes.map((node) =>
    lab.addGuest({
      name: node.name,
      address: prefixed(node.ip),
      userData: readFileSync(join(outDir, node.name, "user-data"), "utf8"),
      metaData: readFileSync(join(outDir, node.name, "meta-data"), "utf8"),
    }),
  );
  for (const g of guests) lab.boot(g);
  return { lab, guests };
}

async function expectHealthyCluster(lab: BootLab, buildDir: string, outName: string, members: number): Promise<void> {
  // The admin bundle's etcdctl script, run by POSIX sh as a script in CI would.
  const etcdctl = (args: string) => lab.run("sh", ["-c", `${outName}/admin/etcdctl ${args}`], { cwd: buildDir });
  const started = Date.now();
  let last = "";
  while (Date.now() - started < 60000) {
    const r = etcdctl("endpoint health --cluster");
    if (r.code === 0) break;
    last = r.stdout + r.stderr;
    await new Promise((res) => setTimeout(res, 1000));
  }
  const health = etcdctl("endpoint health --cluster");
  if (health.code !== 0) throw new Error(`the cluster is not healthy: ${last}`);
  log(`  cluster healthy ${seconds(Date.now() - started)} after cloud-init finished`);
  const list = JSON.parse(etcdctl("member list -w json").stdout) as { members: { name: string; clientURLs?: string[] }[] };
  const startedMembers = list.members.filter((m) => m.name && (m.clientURLs ?? []).length > 0);
  if (startedMembers.length !== members) throw new Error(`${startedMembers.length} of ${members} members started: ${JSON.stringify(list)}`);
  if (etcdctl("put boot-test ok").code !== 0) throw new Error("put failed");
  const got = etcdctl("get boot-test --print-value-only");
  if (got.stdout.trim() !== "ok") throw new Error(`get returned ${got.stdout} ${got.stderr}`);
  log(`  ${members} members started; put and get work from outside the guests`);
}

async function build(cluster: string, buildDir: string): Promise<void> {
  const r = await runCli(["build", cluster, "-o", "out", "--state", "state"], { cwd: buildDir });
  if (r.code !== 0) throw new Error(`etcdgen build failed:\n${r.stderr}`);
}

// --- cases --------------------------------------------------------------------------------------

type Case = (rootfs: string) => Promise<void>;

/**
 * Builds a cluster file in a temporary folder, boots its output and hands the running guests to
 * `check`; tears everything down afterwards, whatever happened.
 */
async function withBootedCluster(
  rootfs: string,
  clusterFile: (dir: string) => string,
  check: (lab: BootLab, guests: Guest[], dir: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "etcdgen-boot-"));
  try {
    writeFileSync(join(dir, "cluster.toml"), clusterFile(dir));
    await build("cluster.toml", dir);
    const { lab, guests } = await bootOutput(join(dir, "out"), rootfs, join(dir, "guests"));
    try {
      await check(lab, guests, dir);
    } finally {
      await lab.destroy();
      labs.delete(lab);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function expectCloudInit(guest: Guest, expected: "done" | "error"): Promise<string> {
  const r = await waitForCloudInit(guest);
  log(`  ${guest.spec.name}: cloud-init ${r.status} ${seconds(r.ms)} after boot`);
  if (r.status !== expected) throw new Error(`${guest.spec.name}: cloud-init ${r.status}, expected ${expected}\n${r.detail}`);
  return r.detail;
}

/** The bundled home-lab fixture, systemd mode, etcd from the distribution's package. */
const homelab: Case = (rootfs) =>
  withBootedCluster(
    rootfs,
    () => readFileSync(join(FIXTURES, "homelab", "cluster.toml"), "utf8"),
    async (lab, guests, dir) => {
      for (const g of guests) await expectCloudInit(g, "done");
      await expectHealthyCluster(lab, dir, "out", guests.length);
    },
  );

/** A release-style tarball of this machine's etcd, as the etcd project lays them out. */
function makeTarball(dir: string): { file: string; url: string; sha256: string; version: string } {
  const version = localEtcdVersion();
  const top = `etcd-v${version}-linux-amd64`;
  mkdirSync(join(dir, "tarball", top), { recursive: true });
  for (const bin of ["etcd", "etcdctl"]) spawnSync("cp", [`/usr/bin/${bin}`, join(dir, "tarball", top, bin)]);
  const file = join(dir, `${top}.tar.gz`);
  const r = spawnSync("tar", ["-czf", file, "-C", join(dir, "tarball"), top]);
  if (r.status !== 0) throw new Error("tar failed");
  const url = `http://10.0.0.${HOST_V4}:${TARBALL_PORT}/${top}.tar.gz`;
  return { file, url, sha256: createHash("sha256").update(readFileSync(file)).digest("hex"), version };
}

function tarballCluster(version: string, url: string, sha256: string, nodes: number): string {
  const members = Array.from({ length: nodes }, (_, i) => `[[nodes]]\nname = "etcd-${i + 1}"\nip = "10.0.0.${11 + i}"\n`).join("\n");
  return `[cluster]\nname = "tarball"\netcd_version = "${version}"\n\n[install]\nmethod = "tarball"\nurl = "${url}"\nsha256 = "${sha256}"\n\n${members}`;
}

/** etcd from a tarball the test serves on the bridge; the guests verify its sha256 first. */
const tarball: Case = (rootfs) => {
  let t: ReturnType<typeof makeTarball>;
  return withBootedCluster(
    rootfs,
    (dir) => {
      t = makeTarball(dir);
      return tarballCluster(t.version, t.url, t.sha256, 3);
    },
    async (lab, guests, dir) => {
      serveFile(lab, t.file, `10.0.0.${HOST_V4}`);
      for (const g of guests) {
        await expectCloudInit(g, "done");
        if (!existsSync(join(g.merged, "usr/local/bin/etcd"))) throw new Error(`${g.spec.name}: /usr/local/bin/etcd is not installed`);
      }
      await expectHealthyCluster(lab, dir, "out", guests.length);
    },
  );
};

/** The same with a wrong sha256: nothing is unpacked and cloud-init reports the failure. */
const tarballWrongSha: Case = (rootfs) => {
  let t: ReturnType<typeof makeTarball>;
  return withBootedCluster(
    rootfs,
    (dir) => {
      t = makeTarball(dir);
      return tarballCluster(t.version, t.url, createHash("sha256").update("not the tarball").digest("hex"), 1);
    },
    async (lab, guests) => {
      serveFile(lab, t.file, `10.0.0.${HOST_V4}`);
      const g = guests[0]!;
      const detail = await expectCloudInit(g, "error");
      if (!/scripts[-_]user/.test(detail)) throw new Error(`cloud-init's error is not the install script's:\n${detail}`);
      if (existsSync(join(g.merged, "usr/local/bin/etcd"))) throw new Error("etcd was installed from an unverified download");
      const active = g.exec(["systemctl", "is-active", "etcd.service"]);
      log(`  etcd not installed; cloud-init reports the failed install; etcd.service ${active.stdout.trim()}`);
    },
  );
};

/**
 * The home lab rendered for etcd 3.5 while the image's package is 3.4: the bootstrap refuses to
 * start etcd with a configuration for another version, and cloud-init reports it.
 */
const packageOfAnotherVersion: Case = (rootfs) =>
  withBootedCluster(
    rootfs,
    () => singleNode(readFileSync(join(FIXTURES, "homelab", "cluster.toml"), "utf8").replace(/^etcd_version = "[^"]*"/m, 'etcd_version = "3.5.17"')),
    async (_lab, guests) => {
      const g = guests[0]!;
      const detail = await expectCloudInit(g, "error");
      if (!/scripts[-_]user/.test(detail)) throw new Error(`cloud-init's error is not the install script's:\n${detail}`);
      const journal = g.exec(["sh", "-c", "cat /var/log/cloud-init-output.log"]).stdout;
      if (!/etcd 3\.4\.\d+ is installed at \/usr\/bin\/etcd, but this node's configuration is for etcd 3\.5\.17/.test(journal)) throw new Error(`no version message in:\n${journal.slice(-2000)}`);
      const active = g.exec(["systemctl", "is-active", "etcd.service"]).stdout.trim();
      // The image's own etcd may run (Debian enables it); never with this node's configuration.
      const env = g.exec(["sh", "-c", 'pid=$(systemctl show -p MainPID --value etcd.service); [ "$pid" -gt 0 ] && tr "\\0" "\\n" < /proc/$pid/environ || true']);
      if (env.stdout.includes("ETCD_NAME=etcd-1")) throw new Error("etcd runs with the configuration for another version");
      log(`  the bootstrap refused etcd 3.4 for a 3.5 configuration; cloud-init reports it; etcd.service ${active}`);
    },
  );

/** The cluster file with only its first [[nodes]] table. */
function singleNode(text: string): string {
  const tables = text.split(/^(?=\[\[nodes\]\])/m);
  return [tables[0], tables[1]].join("") + text.slice(text.search(/^\[\[clients\]\]/m));
}

function serveFile(lab: BootLab, file: string, address: string): void {
  const script = `
    const http = require("http"), fs = require("fs"), path = require("path");
    const file = process.argv[1];
    http.createServer((req, res) => {
      if (req.url !== "/" + path.basename(file)) { res.writeHead(404); return res.end(); }
      res.writeHead(200, { "content-type": "application/gzip" });
      fs.createReadStream(file).pipe(res);
    }).listen(${TARBALL_PORT}, process.argv[2]);`;
  lab.start(process.execPath, ["-e", script, file, address]);
}

/** A user's own output folder: boot it, wait for cloud-init, check the cluster. */
function ownOutput(outDir: string): Case {
  return async (rootfs) => {
    const manifest = JSON.parse(readFileSync(join(outDir, "manifest.json"), "utf8")) as Manifest;
    const work = mkdtempSync(join(tmpdir(), "etcdgen-boot-"));
    const { lab, guests } = await bootOutput(outDir, rootfs, join(work, "guests"));
    try {
      for (const g of guests) await expectCloudInit(g, "done");
      const parent = resolve(outDir, "..");
      await expectHealthyCluster(lab, parent, outDir.replace(/\/+$/, "").split("/").pop()!, manifest.nodes.length);
    } finally {
      await lab.destroy();
      labs.delete(lab);
      rmSync(work, { recursive: true, force: true });
    }
  };
}

// --- main ---------------------------------------------------------------------------------------

const labs = new Set<BootLab>();
process.on("exit", () => {
  for (const lab of labs) lab.destroySync();
});
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    for (const lab of labs) lab.destroySync();
    process.exit(130);
  });

async function main(argv: string[]): Promise<number> {
  const missing = requirements();
  if (missing.length > 0) {
    process.stderr.write(`boot-test cannot run here; it needs:\n${missing.map((m) => `  - ${m}`).join("\n")}\n`);
    process.stdout.write("boot-test: 0 passed, 1 failed\n");
    return 1;
  }
  const outIndex = argv.indexOf("--out");
  const cases: [string, Case][] =
    outIndex >= 0
      ? [[`own output ${argv[outIndex + 1]}`, ownOutput(resolve(argv[outIndex + 1] ?? "out"))]]
      : [
          ["home-lab fixture, systemd mode, distribution package", homelab],
          ["release tarball served on the bridge, sha256 verified", tarball],
          ["release tarball with a wrong sha256", tarballWrongSha],
          ["distribution package of another etcd version than the cluster file's", packageOfAnotherVersion],
        ];
  const started = Date.now();
  const { path: rootfs, builtMs } = ensureRootfs(CACHE, log);
  log(builtMs > 0 ? `root filesystem built in ${seconds(builtMs)}` : `root filesystem from the cache (${rootfs})`);
  let passed = 0;
  let failed = 0;
  for (const [name, run] of cases) {
    const caseStart = Date.now();
    log(`case: ${name}`);
    try {
      await run(rootfs);
      passed++;
      log(`  passed in ${seconds(Date.now() - caseStart)}`);
    } catch (error) {
      failed++;
      log(`  FAILED in ${seconds(Date.now() - caseStart)}: ${(error as Error).message}`);
    }
  }
  log(`total ${seconds(Date.now() - started)}`);
  process.stdout.write(`boot-test: ${passed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
