// kubeadm mode, end to end: three real etcd members started from their static pods' command, with
// the pods' hostPath volumes mapped under a temporary root, each in its own network namespace; one
// suite per tested etcd version, the kubeadm-homelab fixture rendered for it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { fixtureBuilder } from "../helpers/fixtures.js";
import { clusterSuites } from "./cluster.js";
import { mapUnder, parseExportFile } from "./member.js";

for (const { test, cluster: c, workdir } of clusterSuites("kubeadm mode, 3 members", "k", fixtureBuilder("kubeadm-homelab"))) {
  test("the cluster is healthy with three started members", () => {
    const health = c().adminEtcdctl("endpoint health --cluster");
    assert.is(health.code, 0, health.stderr);
    const list = c().adminEtcdctl("member list -w json");
    const members = (JSON.parse(list.stdout) as { members: { name: string }[] }).members;
    assert.equal(members.map((m) => m.name).sort(), ["etcd-1", "etcd-2", "etcd-3"]);
  });

  test("the control plane's apiserver-etcd-client certificate can put and get", () => {
    const endpoints = c().members.map((m) => c().endpoint(m)).join(",");
    const etcdctl = (args: string) =>
      c().workstationShell(
        `ETCDCTL_API=3 ETCDCTL_ENDPOINTS=${endpoints} ETCDCTL_CACERT=out/control-plane/ca.crt ` +
          `ETCDCTL_CERT=out/control-plane/apiserver-etcd-client.crt ETCDCTL_KEY=out/control-plane/apiserver-etcd-client.key etcdctl ${args}`,
      );
    assert.is(etcdctl("put /registry/test value-from-apiserver").code, 0);
    const got = etcdctl("get /registry/test --print-value-only");
    assert.is(got.code, 0, got.stderr);
    assert.is(got.stdout.trim(), "value-from-apiserver");
  });

  test("the control plane's kubeadm snippet lists every member's client URL", () => {
    const text = readFileSync(join(workdir(), "out/control-plane/kubeadm-etcd-external.yaml"), "utf8");
    for (const m of c().members) assert.match(text, `- ${c().endpoint(m)}`);
  });

  test("every probe in the static pod answers 200 on its member", () => {
    for (const m of c().members) {
      assert.ok(m.member.probes.length >= 2, "liveness and startup probes at least");
      for (const probe of m.member.probes) {
        const host = probe.host.includes(":") ? `[${probe.host}]` : probe.host;
        const url = `http://${host}:${probe.port}${probe.path}`;
        const script = `require("http").get(${JSON.stringify(url)}, (r) => { process.stdout.write(String(r.statusCode)); r.resume(); }).on("error", (e) => { process.stdout.write(e.message); process.exitCode = 1; })`;
        const r = c().lab.run(m.ns, process.execPath, ["-e", script]);
        assert.is(r.stdout.trim(), "200", `${m.name} ${url}: ${r.stdout} ${r.stderr}`);
      }
    }
  });

  test("etcdctl on a node works with the node's env file (kubeadm's healthcheck client)", () => {
    const node = c().members[0]!;
    const env = parseExportFile(readFileSync(join(node.member.root, "etc/etcd/etcdctl.env"), "utf8"));
    assert.match(env.ETCDCTL_CERT!, "healthcheck-client.crt");
    const mapped = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mapUnder(node.member.root, v)]));
    const r = c().etcdctlOn(node, ["endpoint", "health", "--cluster"], mapped);
    assert.is(r.code, 0, r.stderr);
  });

  test.run();
}
