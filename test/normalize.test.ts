import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatPath } from "../src/diag/diagnostic.js";
import { normalizeCluster } from "../src/model/normalize.js";
import type { ClusterSpec } from "../src/spec/types.js";

const base = (): ClusterSpec => ({
  cluster: { name: "lab", etcd_version: "3.5.17" },
  nodes: [
    { name: "etcd-1", ip: "10.0.0.11" },
    { name: "etcd-2", ip: "10.0.0.12" },
    { name: "etcd-3", ip: "10.0.0.13" },
  ],
});
const found = (spec: ClusterSpec) => normalizeCluster(spec).diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`);

test("normalizeCluster :: defaults are explicit", () => {
  const { cluster, diagnostics } = normalizeCluster(base());
  assert.equal(diagnostics, []);
  assert.ok(cluster);
  assert.equal(cluster!.ports, { client: 2379, peer: 2380, metrics: 2381, metricsBind: "node" });
  assert.is(cluster!.mode, "systemd");
  assert.is(cluster!.dataDir, "/var/lib/etcd");
  assert.is(cluster!.tls.enabled, true);
  assert.is(cluster!.tls.clientCertAuth, true);
  assert.is(cluster!.tls.keyAlgorithm, "ecdsa-p256");
  assert.is(cluster!.tls.caValidityDays, 3650);
  assert.is(cluster!.tls.certValidityDays, 365);
  assert.equal(cluster!.install, { method: "package", packages: ["etcd-server", "etcd-client"], binary: "/usr/bin/etcd" });
  assert.equal(cluster!.clients.map((c) => c.name), ["admin"]);
  assert.is(cluster!.token, undefined);
});

test("normalizeCluster :: ipv6 addresses are canonical", () => {
  const spec = base();
  spec.nodes = [
    { name: "a", ip: "FD00:0:0::11" },
    { name: "b", ip: "fd00::12" },
    { name: "c", ip: "fd00::0013" },
  ];
  const { cluster } = normalizeCluster(spec);
  assert.equal(cluster!.nodes.map((n) => n.ip.text), ["fd00::11", "fd00::12", "fd00::13"]);
  assert.ok(cluster!.nodes.every((n) => n.ip.family === 6));
});

test("normalizeCluster :: the same ipv6 address written two ways is a duplicate", () => {
  const spec = base();
  spec.nodes[1]!.ip = "fd00::1";
  spec.nodes[2]!.ip = "fd00:0::0:1";
  assert.equal(found(spec), ["E_NODE_IP_DUPLICATE@nodes[2].ip"]);
});

test("normalizeCluster :: duplicate names, ips and dns names", () => {
  const spec = base();
  spec.nodes[1]!.name = "etcd-1";
  spec.nodes[2]!.ip = "10.0.0.11";
  spec.nodes[0]!.dns = ["e.lan"];
  spec.nodes[2]!.dns = ["e.lan"];
  assert.equal(found(spec), ["E_NODE_NAME_DUPLICATE@nodes[1].name", "E_NODE_IP_DUPLICATE@nodes[2].ip", "E_DNS_NAME_DUPLICATE@nodes[2].dns[0]"]);
});

test("normalizeCluster :: quorum warnings", () => {
  const spec = base();
  spec.nodes.pop();
  assert.equal(found(spec), ["W_QUORUM_EVEN@nodes"]);
  spec.nodes = Array.from({ length: 9 }, (_, i) => ({ name: `n${i}`, ip: `10.0.0.${i + 1}` }));
  assert.equal(found(spec), ["W_QUORUM_LARGE@nodes"]);
  spec.nodes = [{ name: "solo", ip: "127.0.0.1" }];
  assert.equal(found(spec), []);
});

test("normalizeCluster :: tls off needs an opt-in", () => {
  const spec = base();
  spec.tls = { enabled: false };
  assert.equal(found(spec), ["E_TLS_OFF_WITHOUT_OPT_IN@tls.enabled"]);
  spec.tls.allow_insecure = true;
  assert.equal(found(spec), ["W_TLS_OFF@tls.enabled"]);
  assert.is(normalizeCluster(spec).cluster!.tls.clientCertAuth, false);
});

test("normalizeCluster :: client-cert auth off needs an opt-in", () => {
  const spec = base();
  spec.tls = { client_cert_auth: false };
  assert.equal(found(spec), ["E_CLIENT_AUTH_OFF_WITHOUT_OPT_IN@tls.client_cert_auth"]);
});

test("normalizeCluster :: install method and its keys", () => {
  const spec = base();
  spec.install = { method: "tarball", url: "https://example.org/etcd.tar.gz" };
  assert.equal(found(spec), ["E_INSTALL_SHA256_MISSING@install"]);
  spec.install = { method: "tarball", url: "ftp://x/etcd.tgz", sha256: "abc", binary: "/usr/bin/etcd" };
  assert.equal(found(spec), ["E_INSTALL_KEY_FOR_OTHER_METHOD@install.binary", "E_INSTALL_URL_INVALID@install.url", "E_INSTALL_SHA256_INVALID@install.sha256"]);
  spec.install = { method: "tarball", url: "https://example.org/etcd.tar.gz", sha256: "A".repeat(64) };
  const { cluster } = normalizeCluster(spec);
  assert.equal(cluster!.install, { method: "tarball", url: "https://example.org/etcd.tar.gz", sha256: "a".repeat(64), binary: "/usr/local/bin/etcd" });
});

test("normalizeCluster :: names that are unsafe as hostname, file or token", () => {
  const spec = base();
  spec.nodes[0]!.name = "etcd 1";
  spec.nodes[1]!.name = "../etc";
  spec.nodes[2]!.name = "Etcd-3";
  spec.cluster.name = "lab;rm -rf";
  assert.equal(found(spec), ["E_NAME_INVALID@cluster.name", "E_NAME_INVALID@nodes[0].name", "E_NAME_INVALID@nodes[1].name", "E_NAME_INVALID@nodes[2].name"]);
});

test("normalizeCluster :: ports", () => {
  const spec = base();
  spec.ports = { client: 2380, metrics: 70000 };
  assert.equal(found(spec), ["E_PORT_COLLISION@ports.peer", "E_PORT_RANGE@ports.metrics"]);
});

test("normalizeCluster :: clients", () => {
  const spec = base();
  spec.clients = [{ name: "apiserver-etcd-client" }, { name: "prom", cn: "prometheus", o: ["monitoring"] }, { name: "prom" }, { name: "healthcheck-client" }];
  assert.equal(found(spec), ["E_CLIENT_NAME_DUPLICATE@clients[2].name", "E_CLIENT_NAME_RESERVED@clients[3].name"]);
  spec.clients.splice(2, 2);
  const { cluster } = normalizeCluster(spec);
  assert.equal(
    cluster!.clients.map((c) => [c.name, c.commonName, c.organizations]),
    [
      ["admin", "admin", []],
      ["apiserver-etcd-client", "kube-apiserver-etcd-client", []],
      ["prom", "prometheus", ["monitoring"]],
    ],
  );
});

test("normalizeCluster :: extra SANs: IPs and names, not another node's name", () => {
  const spec = base();
  spec.tls = { extra_sans: ["10.32.0.1", "lb.k8s.lan", "etcd-2", "not a name"] };
  assert.equal(found(spec), ["E_SAN_INVALID@tls.extra_sans[3]", "E_SAN_BELONGS_TO_NODE@tls.extra_sans[2]"]);
});

test("normalizeCluster :: versions", () => {
  const spec = base();
  spec.cluster.etcd_version = "3.3.25";
  assert.equal(found(spec), ["E_ETCD_VERSION_UNSUPPORTED@cluster.etcd_version"]);
  spec.cluster.etcd_version = "3.7.0";
  assert.equal(found(spec), ["W_ETCD_VERSION_UNTESTED@cluster.etcd_version"]);
  spec.cluster.etcd_version = "latest";
  assert.equal(found(spec), ["E_ETCD_VERSION_INVALID@cluster.etcd_version"]);
});

test("normalizeCluster :: ports.client_http: range, collisions, and etcd 3.5.8 or later", () => {
  const spec = base();
  spec.ports = { client_http: 2382 };
  assert.equal(found(spec), []);
  assert.is((normalizeCluster(spec).cluster!.ports as { clientHttp?: number }).clientHttp, 2382);
  spec.ports = { client_http: 0 };
  assert.equal(found(spec), ["E_PORT_RANGE@ports.client_http"]);
  spec.ports = { client_http: 2379 };
  assert.equal(found(spec), ["E_PORT_COLLISION@ports.client_http"]);
  spec.ports = { metrics: 2390, client_http: 2390 };
  assert.equal(found(spec), ["E_PORT_COLLISION@ports.client_http"]);
  spec.ports = { client_http: 2382 };
  for (const [version, codes] of [
    ["3.4.23", ["E_PORT_CLIENT_HTTP_UNSUPPORTED@ports.client_http"]],
    ["3.5.7", ["E_PORT_CLIENT_HTTP_UNSUPPORTED@ports.client_http"]],
    ["3.5.8", []],
    ["3.6.0", []],
  ] as const) {
    spec.cluster.etcd_version = version;
    assert.equal(found(spec), codes, version);
  }
});

test("normalizeCluster :: without client_http the ports hold no clientHttp", () => {
  assert.not.ok("clientHttp" in normalizeCluster(base()).cluster!.ports);
});

test.run();
