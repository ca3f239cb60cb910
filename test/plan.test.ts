import { test } from "uvu";
import * as assert from "uvu/assert";
import { planCerts } from "../src/pki/plan.js";
import { clusterFrom, threeNodes } from "./helpers/cluster.js";

test("planCerts :: the whole set, CA first", () => {
  const plan = planCerts(clusterFrom(threeNodes()));
  assert.equal(plan.map((c) => c.id), [
    "ca",
    "server/etcd-1",
    "peer/etcd-1",
    "server/etcd-2",
    "peer/etcd-2",
    "server/etcd-3",
    "peer/etcd-3",
    "client/admin",
    "client/apiserver-etcd-client",
  ]);
  assert.ok(plan.every((c) => c.issuer === "ca"));
});

test("planCerts :: kubeadm's layout adds the health-check client", () => {
  const plan = planCerts(clusterFrom(threeNodes('pki_layout = "kubeadm"')));
  assert.ok(plan.some((c) => c.id === "client/healthcheck-client"));
});

test("planCerts :: a client's diagnostics point at its own table", () => {
  const plan = planCerts(clusterFrom(threeNodes() + '[[clients]]\nname = "backup"\n'));
  assert.equal(plan.find((c) => c.id === "client/backup")!.source, ["clients", 1]);
  assert.equal(plan.find((c) => c.id === "client/admin")!.source, []);
});

test("planCerts :: kubeadm's subjects and usages", () => {
  const byId = new Map(planCerts(clusterFrom(threeNodes('pki_layout = "kubeadm"'))).map((c) => [c.id, c]));
  const ca = byId.get("ca")!;
  assert.is(ca.commonName, "etcd-ca");
  assert.ok(ca.isCa);
  assert.equal(ca.keyUsages, ["digital signature", "cert sign"]);
  assert.is(ca.validityDays, 3650);
  const server = byId.get("server/etcd-1")!;
  assert.is(server.commonName, "etcd-1");
  assert.equal(server.extKeyUsages, ["server auth", "client auth"]);
  assert.is(server.validityDays, 365);
  assert.equal(byId.get("peer/etcd-1")!.extKeyUsages, ["server auth", "client auth"]);
  const health = byId.get("client/healthcheck-client")!;
  assert.is(health.commonName, "kube-etcd-healthcheck-client");
  assert.equal(health.extKeyUsages, ["client auth"]);
  assert.equal(health.organizations, []);
  assert.is(byId.get("client/apiserver-etcd-client")!.commonName, "kube-apiserver-etcd-client");
});

test("planCerts :: member SANs: name, dns, localhost, own ip, loopbacks, extra", () => {
  const plan = planCerts(clusterFrom(threeNodes('extra_sans = ["lb.lan", "10.32.0.1"]')));
  const server1 = plan.find((c) => c.id === "server/etcd-1")!;
  assert.equal(server1.dnsNames, ["etcd-1", "etcd-1.lan", "localhost", "lb.lan"]);
  assert.equal(server1.ipAddresses.map((i) => i.text), ["10.0.0.11", "127.0.0.1", "::1", "10.32.0.1"]);
  const peer3 = plan.find((c) => c.id === "peer/etcd-3")!;
  assert.equal(peer3.ipAddresses.map((i) => i.text), ["fd00::13", "127.0.0.1", "::1", "10.32.0.1"]);
});

test("planCerts :: key encipherment only for RSA", () => {
  const ec = planCerts(clusterFrom(threeNodes()));
  assert.ok(ec.every((c) => !c.keyUsages.includes("key encipherment")));
  const rsa = planCerts(clusterFrom(threeNodes("", "rsa-2048")));
  assert.ok(rsa.every((c) => c.keyUsages.includes("key encipherment") && c.keyUsages.includes("digital signature")));
});

test("planCerts :: no TLS, no certificates", () => {
  const plan = planCerts(clusterFrom(threeNodes("enabled = false\nallow_insecure = true").replace(/\[\[clients\]\]\nname = .*\n/, "")));
  assert.equal(plan, []);
});

test.run();
