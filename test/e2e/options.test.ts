// Options that change how members talk, checked against real etcd: client-certificate auth off,
// TLS off, and a single member on its own loopback address.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../helpers/cli.js";
import { localEtcdVersion } from "../helpers/fixtures.js";
import { tempDir } from "../helpers/fs.js";
import { E2eCluster } from "./cluster.js";
import { NetLab } from "./netlab.js";
import { prepareMember, startMember } from "./member.js";

function clusterFile(tls: string, ip = "10.0.0.21"): string {
  return `[cluster]\nname = "opts"\netcd_version = "${localEtcdVersion()}"\n[tls]\n${tls}\n[[nodes]]\nname = "solo"\nip = "${ip}"\n`;
}

async function withCluster(toml: string, body: (c: E2eCluster) => Promise<void> | void): Promise<void> {
  const work = tempDir("etcdgen-e2e-");
  let cluster: E2eCluster | undefined;
  try {
    writeFileSync(join(work.path, "cluster.toml"), toml);
    const r = await runCli(["build", "cluster.toml", "-o", "out"], { cwd: work.path });
    assert.is(r.code, 0, r.stderr);
    cluster = new E2eCluster("o", work.path);
    cluster.startAll();
    await cluster.waitHealthy();
    await body(cluster);
  } finally {
    cluster?.destroy();
    work.remove();
  }
}

test("client_cert_auth = false: a client without a certificate is served", async () => {
  await withCluster(clusterFile("client_cert_auth = false\nallow_insecure = true"), (c) => {
    const r = c.workstationShell("etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt put open door && etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt get open --print-value-only");
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim().split("\n").pop(), "door");
  });
});

test("client_cert_auth = true (the default): the same client is refused", async () => {
  await withCluster(clusterFile(""), (c) => {
    const r = c.workstationShell("etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt --dial-timeout 3s --command-timeout 5s put open door");
    assert.is.not(r.code, 0);
  });
});

test("TLS off: members and clients speak plain http", async () => {
  await withCluster(clusterFile("enabled = false\nallow_insecure = true"), (c) => {
    const r = c.adminEtcdctl("put plain text");
    assert.is(r.code, 0, r.stderr);
    assert.is(c.adminEtcdctl("get plain --print-value-only").stdout.trim(), "text");
  });
});

test("a single member on the loopback address starts", async () => {
  const work = tempDir("etcdgen-e2e-");
  const lab = new NetLab("l");
  try {
    writeFileSync(join(work.path, "cluster.toml"), clusterFile("", "127.0.0.1"));
    assert.is((await runCli(["build", "cluster.toml", "-o", "out"], { cwd: work.path })).code, 0);
    const ns = lab.addHost([]);
    const member = prepareMember(join(work.path, "out", "solo"), join(work.path, "root"));
    const proc = startMember(lab, ns, member);
    let last = "";
    for (let i = 0; i < 40; i++) {
      const r = lab.run(ns, "sh", ["-c", ". out/admin/etcdctl.env && etcdctl endpoint health"], { cwd: work.path, env: { PATH: process.env.PATH } });
      if (r.code === 0) return;
      last = r.stderr + proc.output().slice(-1500);
      await new Promise((res) => setTimeout(res, 500));
    }
    assert.unreachable(`not healthy: ${last}`);
  } finally {
    lab.destroy();
    work.remove();
  }
});

test.run();
