import { test } from "uvu";
import * as assert from "uvu/assert";
import { memberFlags } from "../src/model/flags.js";
import { clusterFrom } from "./helpers/cluster.js";

const PATHS = { ca: "/pki/ca.crt", serverCert: "/pki/server.crt", serverKey: "/pki/server.key", peerCert: "/pki/peer.crt", peerKey: "/pki/peer.key" };

function flagsOf(toml: string, node = 0): Record<string, string> {
  const cluster = clusterFrom(toml);
  return Object.fromEntries(memberFlags(cluster, cluster.nodes[node]!, { token: "tok", paths: PATHS }).map((f) => [f.name, f.value]));
}

const cluster = (extra = "", nodes = '[[nodes]]\nname = "a"\nip = "10.0.0.11"\n[[nodes]]\nname = "b"\nip = "10.0.0.12"\n[[nodes]]\nname = "c"\nip = "10.0.0.13"\n', version = "3.5.17") =>
  `[cluster]\nname = "lab"\netcd_version = "${version}"\n${extra}\n${nodes}`;

test("memberFlags :: a member of a new TLS cluster", () => {
  const f = flagsOf(cluster(), 1);
  assert.is(f.name, "b");
  assert.is(f["listen-client-urls"], "https://127.0.0.1:2379,https://10.0.0.12:2379");
  assert.is(f["advertise-client-urls"], "https://10.0.0.12:2379");
  assert.is(f["listen-peer-urls"], "https://10.0.0.12:2380");
  assert.is(f["initial-cluster"], "a=https://10.0.0.11:2380,b=https://10.0.0.12:2380,c=https://10.0.0.13:2380");
  assert.is(f["initial-cluster-state"], "new");
  assert.is(f["initial-cluster-token"], "tok");
  assert.is(f["listen-metrics-urls"], "http://127.0.0.1:2381,http://10.0.0.12:2381");
  assert.is(f["client-cert-auth"], "true");
  assert.is(f["trusted-ca-file"], "/pki/ca.crt");
  assert.is(f["peer-client-cert-auth"], "true");
  assert.is(f["peer-trusted-ca-file"], "/pki/ca.crt");
  assert.is(f.logger, undefined);
});

test("memberFlags :: IPv6 addresses in brackets, loopback ::1", () => {
  const f = flagsOf(cluster("", '[[nodes]]\nname = "a"\nip = "fd00::11"\n'));
  assert.is(f["listen-client-urls"], "https://[::1]:2379,https://[fd00::11]:2379");
  assert.is(f["initial-cluster"], "a=https://[fd00::11]:2380");
});

test("memberFlags :: without client-certificate auth there is no trusted CA (etcd would demand certificates)", () => {
  const f = flagsOf(cluster("[tls]\nclient_cert_auth = false\nallow_insecure = true"));
  assert.is(f["client-cert-auth"], "false");
  assert.is(f["trusted-ca-file"], undefined);
  assert.is(f["peer-trusted-ca-file"], "/pki/ca.crt");
});

test("memberFlags :: TLS off: plain http, no certificate flags", () => {
  const f = flagsOf(cluster("[tls]\nenabled = false\nallow_insecure = true"));
  assert.is(f["listen-peer-urls"], "http://10.0.0.11:2380");
  assert.is(f["cert-file"], undefined);
  assert.is(f["client-cert-auth"], undefined);
});

test("memberFlags :: a single member on loopback lists each URL once", () => {
  const f = flagsOf(cluster("", '[[nodes]]\nname = "solo"\nip = "127.0.0.1"\n'));
  assert.is(f["listen-client-urls"], "https://127.0.0.1:2379");
  assert.is(f["listen-metrics-urls"], "http://127.0.0.1:2381");
});

test("memberFlags :: metrics on loopback only; other ports", () => {
  const f = flagsOf(cluster('[ports]\nclient = 12379\npeer = 12380\nmetrics = 12381\nmetrics_bind = "loopback"'));
  assert.is(f["listen-metrics-urls"], "http://127.0.0.1:12381");
  assert.is(f["advertise-client-urls"], "https://10.0.0.11:12379");
  assert.match(f["initial-cluster"]!, "https://10.0.0.12:12380");
});

test("memberFlags :: etcd 3.4 is told to log with zap", () => {
  assert.is(flagsOf(cluster("", undefined, "3.4.23")).logger, "zap");
  assert.is(flagsOf(cluster("", undefined, "3.6.4")).logger, undefined);
});

test("memberFlags :: client_http: HTTP on its own port, on the client URLs' hosts", () => {
  const f = flagsOf(cluster("[ports]\nclient_http = 2382"), 1);
  assert.is(f["listen-client-http-urls"], "https://127.0.0.1:2382,https://10.0.0.12:2382");
  assert.is(f["listen-client-urls"], "https://127.0.0.1:2379,https://10.0.0.12:2379");
  assert.is(f["advertise-client-urls"], "https://10.0.0.12:2379");
  const v6 = flagsOf(cluster("[ports]\nclient_http = 2382", '[[nodes]]\nname = "a"\nip = "fd00::11"\n'));
  assert.is(v6["listen-client-http-urls"], "https://[::1]:2382,https://[fd00::11]:2382");
  const solo = flagsOf(cluster("[ports]\nclient_http = 2382", '[[nodes]]\nname = "solo"\nip = "127.0.0.1"\n'));
  assert.is(solo["listen-client-http-urls"], "https://127.0.0.1:2382");
  const plain = flagsOf(cluster("[ports]\nclient_http = 2382\n[tls]\nenabled = false\nallow_insecure = true"));
  assert.is(plain["listen-client-http-urls"], "http://127.0.0.1:2382,http://10.0.0.11:2382");
});

test("memberFlags :: without client_http, HTTP shares the client port", () => {
  assert.is(flagsOf(cluster())["listen-client-http-urls"], undefined);
});

test("memberFlags :: the HTTP URLs follow the client URLs in the flag order", () => {
  const cl = clusterFrom(cluster("[ports]\nclient_http = 2382"));
  const names = memberFlags(cl, cl.nodes[0]!, { token: "tok", paths: PATHS }).map((f) => f.name);
  assert.is(names.indexOf("listen-client-http-urls"), names.indexOf("listen-client-urls") + 1);
});

const kubeadm = (version: string) => cluster('mode = "kubeadm"\n[kubeadm]\nkubernetes_version = "1.34.1"', undefined, version);

test("memberFlags :: kubeadm's --snapshot-count=10000 for etcd 3.4 and 3.5, not for 3.6 (its default there, and deprecated)", () => {
  assert.is(flagsOf(kubeadm("3.4.23"))["snapshot-count"], "10000");
  assert.is(flagsOf(kubeadm("3.5.17"))["snapshot-count"], "10000");
  assert.is(flagsOf(kubeadm("3.6.4"))["snapshot-count"], undefined);
  // systemd mode never had it.
  assert.is(flagsOf(cluster("", undefined, "3.5.17"))["snapshot-count"], undefined);
});

test.run();
