// Options that change how members talk, checked against real etcd on every tested version:
// client-certificate auth off, TLS off, a single member on its own loopback address, and (etcd
// 3.5.8 and later) HTTP served on its own port, apart from gRPC.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "../helpers/cli.js";
import { etcdInstall, etcdTitle, TESTED_MINORS, type EtcdInstall } from "../helpers/etcd-versions.js";
import { tempDir } from "../helpers/fs.js";
import { E2eCluster } from "./cluster.js";
import { NetLab } from "./netlab.js";
import { prepareMember, startMember } from "./member.js";

function clusterFile(etcd: EtcdInstall, tls: string, ip = "10.0.0.21", ports = ""): string {
  return `[cluster]\nname = "opts"\netcd_version = "${etcd.version}"\n[ports]\n${ports}\n[tls]\n${tls}\n[[nodes]]\nname = "solo"\nip = "${ip}"\n`;
}

async function withCluster(etcd: EtcdInstall, toml: string, body: (c: E2eCluster) => Promise<void> | void): Promise<void> {
  const work = tempDir("etcdgen-e2e-");
  let cluster: E2eCluster | undefined;
  try {
    writeFileSync(join(work.path, "cluster.toml"), toml);
    const r = await runCli(["build", "cluster.toml", "-o", "out"], { cwd: work.path });
    assert.is(r.code, 0, r.stderr);
    cluster = new E2eCluster("o", work.path, etcd);
    cluster.startAll();
    await cluster.waitHealthy();
    await body(cluster);
  } finally {
    cluster?.destroy();
    work.remove();
  }
}

/** An HTTPS GET from the workstation with the admin certificate (or none): "<status> <body>". */
function httpsGet(c: E2eCluster, url: string, withCert = true): { code: number; stdout: string; stderr: string } {
  const cert = withCert ? "--cert out/admin/admin.crt --key out/admin/admin.key" : "";
  return c.workstationShell(`curl -sS --max-time 5 --cacert out/admin/ca.crt ${cert} -w ' %{http_code}' ${url}`);
}

for (const minor of TESTED_MINORS) {
  const on = etcdTitle(minor);

  test(`${on} :: client_cert_auth = false: a client without a certificate is served`, async () => {
    const etcd = etcdInstall(minor);
    await withCluster(etcd, clusterFile(etcd, "client_cert_auth = false\nallow_insecure = true"), (c) => {
      const r = c.workstationShell(
        "etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt put open door && etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt get open --print-value-only",
      );
      assert.is(r.code, 0, r.stderr);
      assert.is(r.stdout.trim().split("\n").pop(), "door");
    });
  });

  test(`${on} :: client_cert_auth = true (the default): the same client is refused`, async () => {
    const etcd = etcdInstall(minor);
    await withCluster(etcd, clusterFile(etcd, ""), (c) => {
      const r = c.workstationShell("etcdctl --endpoints https://10.0.0.21:2379 --cacert out/admin/ca.crt --dial-timeout 1s --command-timeout 2s put open door");
      assert.is.not(r.code, 0);
    });
  });

  test(`${on} :: TLS off: members and clients speak plain http`, async () => {
    const etcd = etcdInstall(minor);
    await withCluster(etcd, clusterFile(etcd, "enabled = false\nallow_insecure = true"), (c) => {
      const r = c.adminEtcdctl("put plain text");
      assert.is(r.code, 0, r.stderr);
      assert.is(c.adminEtcdctl("get plain --print-value-only").stdout.trim(), "text");
    });
  });

  test(`${on} :: a single member on the loopback address starts`, async () => {
    const etcd = etcdInstall(minor);
    const work = tempDir("etcdgen-e2e-");
    const lab = new NetLab(`l${etcd.label}`);
    try {
      writeFileSync(join(work.path, "cluster.toml"), clusterFile(etcd, "", "127.0.0.1"));
      assert.is((await runCli(["build", "cluster.toml", "-o", "out"], { cwd: work.path })).code, 0);
      const ns = lab.addHost([]);
      const member = prepareMember(join(work.path, "out", "solo"), join(work.path, "root"), etcd);
      const proc = startMember(lab, ns, member);
      let last = "";
      for (let i = 0; i < 80; i++) {
        const r = lab.run(ns, "bash", ["-c", ". out/admin/etcdctl.env && etcdctl endpoint health"], { cwd: work.path, env: { PATH: etcd.path } });
        if (r.code === 0) return;
        last = r.stderr + proc.output().slice(-1500);
        await new Promise((res) => setTimeout(res, 250));
      }
      assert.unreachable(`not healthy: ${last}`);
    } finally {
      lab.destroy();
      work.remove();
    }
  });
}

const SINGLE_PORT = /Running http and grpc server on single port/;

test(`${etcdTitle("3.5")} :: without client_http, etcd warns that HTTP and gRPC share the client port`, async () => {
  const etcd = etcdInstall("3.5");
  await withCluster(etcd, clusterFile(etcd, ""), async (c) => {
    assert.ok(
      (await c.warnings()).some((e) => SINGLE_PORT.test(e.msg)),
      "the warning the client_http port avoids is still what this etcd prints (else the next test proves nothing)",
    );
  });
});

test(`${etcdTitle("3.5")} :: client_http = 2382: HTTP on its own port with the client certificate, gRPC on the client port, no single-port warning`, async () => {
  const etcd = etcdInstall("3.5");
  await withCluster(etcd, clusterFile(etcd, "", "10.0.0.21", "client_http = 2382"), async (c) => {
    const flags = c.members[0]!.member.flags;
    assert.is(flags["listen-client-http-urls"], "https://127.0.0.1:2382,https://10.0.0.21:2382");
    const warnings = await c.warnings();
    // etcd says what it serves where: gRPC alone on the client port, HTTP on its own.
    const serving = c
      .log(c.members[0]!)
      .filter((e) => e.msg === "serving client traffic securely")
      .map((e) => `${String(e.traffic)} ${String(e.address)}`)
      .sort();
    assert.equal(serving, ["grpc 10.0.0.21:2379", "grpc 127.0.0.1:2379", "http 10.0.0.21:2382", "http 127.0.0.1:2382"]);
    assert.equal(
      warnings.filter((e) => SINGLE_PORT.test(e.msg)),
      [],
    );
    // HTTP on the http port, with the admin certificate: /health and /version answer.
    const health = httpsGet(c, "https://10.0.0.21:2382/health");
    assert.is(health.code, 0, health.stderr);
    assert.match(health.stdout, /"health":"true".* 200$/s);
    const version = httpsGet(c, "https://10.0.0.21:2382/version");
    assert.match(version.stdout, new RegExp(`"etcdserver":"${etcd.version.replace(/\./g, "\\.")}".* 200$`, "s"));
    // The same client certificate rules apply there: no certificate, no answer.
    assert.is.not(httpsGet(c, "https://10.0.0.21:2382/health", false).code, 0);
    // gRPC on the client port: the admin bundle works...
    assert.is(c.adminEtcdctl("put split ports").code, 0);
    assert.is(c.adminEtcdctl("get split --print-value-only").stdout.trim(), "ports");
    // ...and not on the http port, which serves HTTP only.
    const grpcOnHttp = c.adminEtcdctl("get split --dial-timeout 1s --command-timeout 2s", "https://10.0.0.21:2382");
    assert.is.not(grpcOnHttp.code, 0, grpcOnHttp.stdout);
  });
});

test.run();
