// Moving a running cluster built by the classic cfssl runbook to etcdgen without re-keying: the
// runbook's CA is adopted with `etcdgen import-ca`, etcdgen issues every certificate under it,
// and the members switch to etcdgen's files one at a time (same data directories) while a writer
// puts keys throughout. At the end every acknowledged key reads back, each member serves the
// certificate etcdgen issued for it, and the runbook's own client certificate still works.
// On every tested etcd version.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../helpers/cli.js";
import { etcdInstall, etcdTitle, TESTED_MINORS, withEtcdVersion, type TestedMinor } from "../helpers/etcd-versions.js";
import { FIXTURES } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/fs.js";
import { requireTool, run } from "../helpers/tools.js";
import { E2eCluster, type RunningMember } from "./cluster.js";

function sh(dir: string, script: string): void {
  const r = run("sh", ["-c", script], { cwd: dir });
  if (r.code !== 0) throw new Error(`${script}\n${r.stdout}${r.stderr}`);
}

/** The runbook: a cfssl CA, one certificate per member for server and peer, an admin client. */
function cfsslRunbook(dir: string, nodes: { name: string; ip: string }[]): void {
  requireTool("cfssl");
  requireTool("cfssljson");
  mkdirSync(dir, { recursive: true });
  const usages = ["signing", "key encipherment", "server auth", "client auth"];
  writeFileSync(
    join(dir, "ca-config.json"),
    JSON.stringify({
      signing: {
        default: { expiry: "8760h" },
        profiles: { member: { usages, expiry: "8760h" }, client: { usages: ["signing", "key encipherment", "client auth"], expiry: "8760h" } },
      },
    }),
  );
  const csr = (cn: string) => JSON.stringify({ CN: cn, key: { algo: "ecdsa", size: 256 }, names: [{ O: "Runbook Ops" }] });
  writeFileSync(join(dir, "ca-csr.json"), csr("Runbook etcd CA"));
  sh(dir, "cfssl gencert -initca ca-csr.json 2>/dev/null | cfssljson -bare ca");
  for (const node of nodes) {
    writeFileSync(join(dir, `${node.name}-csr.json`), csr(node.name));
    sh(dir, `cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=member -hostname=${node.name},${node.ip},127.0.0.1 ${node.name}-csr.json 2>/dev/null | cfssljson -bare ${node.name}`);
  }
  writeFileSync(join(dir, "admin-csr.json"), csr("runbook-admin"));
  sh(dir, "cfssl gencert -ca=ca.pem -ca-key=ca-key.pem -config=ca-config.json -profile=client admin-csr.json 2>/dev/null | cfssljson -bare admin");
}

/** The SHA-256 fingerprint of the certificate a member serves on its client port. */
function servedFingerprint(c: E2eCluster, m: RunningMember): string {
  const r = c.workstationShell(
    `openssl s_client -connect ${m.ip}:2379 -CAfile out/admin/ca.crt -cert out/admin/admin.crt -key out/admin/admin.key </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256`,
  );
  assert.is(r.code, 0, r.stderr);
  return r.stdout.trim();
}

function fingerprintOf(file: string): string {
  return run("openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", file]).stdout.trim();
}

async function waitMemberHealthy(c: E2eCluster, m: RunningMember): Promise<void> {
  const until = Date.now() + 30000;
  let last = "";
  while (Date.now() < until) {
    const r = c.adminEtcdctl("endpoint health", c.endpoint(m));
    if (r.code === 0) return;
    last = r.stderr + m.proc.output().slice(-1500);
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`${m.name} did not come back: ${last}`);
}

async function migrate(minor: TestedMinor): Promise<void> {
  const etcd = etcdInstall(minor);
  requireTool("openssl");
  const work = tempDir("etcdgen-e2e-adopt-");
  let cluster: E2eCluster | undefined;
  try {
    const dir = work.path;
    writeFileSync(join(dir, "cluster.toml"), withEtcdVersion(readFileSync(join(FIXTURES, "homelab", "cluster.toml"), "utf8"), etcd.version));
    const nodes = [1, 2, 3].map((i) => ({ name: `etcd-${i}`, ip: `10.0.0.1${i}` }));
    cfsslRunbook(join(dir, "runbook"), nodes);
    const imported = await runCli(["import-ca", "cluster.toml", "--cert", "runbook/ca.pem", "--key", "runbook/ca-key.pem", "--state", "state"], { cwd: dir });
    assert.is(imported.code, 0, imported.stderr);
    const built = await runCli(["build", "cluster.toml", "-o", "out", "--state", "state"], { cwd: dir });
    assert.is(built.code, 0, built.stderr);

    // The cluster as the runbook built it: etcdgen's flags, the runbook's member certificates.
    const c = (cluster = new E2eCluster("m", dir, etcd));
    const pki = (m: RunningMember) => join(m.member.root, "etc", "etcd", "pki");
    for (const m of c.members)
      for (const role of ["server", "peer"]) {
        cpSync(join(dir, "runbook", `${m.name}.pem`), join(pki(m), `${role}.crt`));
        cpSync(join(dir, "runbook", `${m.name}-key.pem`), join(pki(m), `${role}.key`));
      }
    c.startAll();
    await c.waitHealthy();
    for (const m of c.members) assert.is(servedFingerprint(c, m), fingerprintOf(join(dir, "runbook", `${m.name}.pem`)), `${m.name} serves the runbook's certificate`);

    // A writer on the workstation puts keys throughout, noting each acknowledged one.
    const writer = c.lab.start(
      c.workstation,
      "bash",
      [
        "-c",
        `cd ${dir} && i=0; while [ ! -e writer.stop ]; do i=$((i+1)); ` +
          `if out/admin/etcdctl --dial-timeout=2s --command-timeout=3s put "mig/$i" "v$i" >/dev/null 2>>writer.err; then echo "$i" >> writer.ok; fi; done`,
      ],
      { PATH: etcd.path },
    );
    const acknowledged = () => (existsSync(join(dir, "writer.ok")) ? readFileSync(join(dir, "writer.ok"), "utf8").trim().split("\n").filter(Boolean) : []);
    const waitForWrites = async (more: number) => {
      const target = acknowledged().length + more;
      const until = Date.now() + 20000;
      while (acknowledged().length < target && Date.now() < until) await new Promise((res) => setTimeout(res, 100));
      assert.ok(acknowledged().length >= target, `the writer keeps writing (${acknowledged().length} acknowledged)`);
    };
    await waitForWrites(20);

    // One member at a time: stop, put etcdgen's files in place, start on the same data directory.
    for (const m of c.members) {
      await c.stopMember(m);
      cpSync(join(dir, "out", m.name, "files", "etc", "etcd", "pki"), pki(m), { recursive: true });
      c.startMember(m);
      await waitMemberHealthy(c, m);
      await waitForWrites(20);
    }
    writeFileSync(join(dir, "writer.stop"), "");
    await new Promise<void>((res) => (writer.child.exitCode !== null ? res() : writer.child.once("exit", () => res())));
    await c.waitHealthy();

    for (const m of c.members) assert.is(servedFingerprint(c, m), fingerprintOf(join(dir, "state", "server", `${m.name}.crt`)), `${m.name} serves etcdgen's certificate`);
    // Every acknowledged key reads back, with its value.
    const ids = acknowledged();
    assert.ok(ids.length >= 80, `${ids.length} keys written`);
    const got = c.adminEtcdctl("get mig/ --prefix -w json");
    assert.is(got.code, 0, got.stderr);
    const kvs = (JSON.parse(got.stdout) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
    const stored = new Map(kvs.map((kv) => [Buffer.from(kv.key, "base64").toString(), Buffer.from(kv.value, "base64").toString()]));
    const lost = ids.filter((i) => stored.get(`mig/${i}`) !== `v${i}`);
    assert.equal(lost, [], `acknowledged keys lost: ${lost.length} of ${ids.length}`);
    // The runbook's client certificate is still trusted: existing clients keep working.
    const old = c.workstationShell(
      `etcdctl --endpoints=https://10.0.0.12:2379 --cacert=runbook/ca.pem --cert=runbook/admin.pem --key=runbook/admin-key.pem get mig/1 --print-value-only`,
    );
    assert.is(old.code, 0, old.stderr);
    assert.is(old.stdout.trim(), "v1");
  } finally {
    cluster?.destroy();
    work.remove();
  }
}

for (const minor of TESTED_MINORS)
  test(`adopted CA :: ${etcdTitle(minor)} :: a cfssl-built cluster moves to etcdgen's certificates one member at a time, no key lost`, () => migrate(minor));

test.run();
