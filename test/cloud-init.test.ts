import { test } from "uvu";
import * as assert from "uvu/assert";
import YAML from "yaml";
import { instanceId, renderMetaData, renderUserData } from "../src/targets/cloud-init.js";
import { ETCD_USER, ROOT, type NodeFile } from "../src/render/node-file.js";
import { clusterFrom } from "./helpers/cluster.js";

const files: NodeFile[] = [
  { path: "/etc/a.conf", mode: 0o644, owner: ROOT, content: "a\n" },
  { path: "/etc/etcd/pki/server.key", mode: 0o600, owner: ETCD_USER, content: "k\n" },
];

const toml = (extra: string) => `[cluster]\nname = "lab"\netcd_version = "3.5.17"\n${extra}\n[[nodes]]\nname = "etcd-1.k8s.lan"\nip = "10.0.0.11"\n`;

test("renderUserData :: cloud-config with the etcd user, deferred etcd-owned files, one runcmd", () => {
  const cluster = clusterFrom(toml(""));
  const text = renderUserData(cluster, cluster.nodes[0]!, files);
  assert.ok(text.startsWith("#cloud-config\n"));
  const doc = YAML.parse(text);
  assert.is(doc.hostname, "etcd-1");
  assert.is(doc.fqdn, "etcd-1.k8s.lan");
  assert.equal(doc.users[0], "default");
  assert.is(doc.users[1].name, "etcd");
  assert.is(doc.users[1].system, true);
  assert.equal(doc.write_files.map((f: { path: string; defer?: boolean; permissions: string }) => [f.path, f.defer ?? false, f.permissions]), [
    ["/etc/a.conf", false, "0644"],
    ["/etc/etcd/pki/server.key", true, "0600"],
  ]);
  assert.equal(doc.runcmd, [["/usr/local/sbin/etcdgen-bootstrap"]]);
});

test("renderUserData :: the etcd user exists in systemd mode even with nothing owned by it (TLS off)", () => {
  const cluster = clusterFrom(toml("[tls]\nenabled = false\nallow_insecure = true"));
  const doc = YAML.parse(renderUserData(cluster, cluster.nodes[0]!, [files[0]!]));
  assert.is(doc.users[1].name, "etcd");
});

test("renderUserData :: kubeadm mode runs etcd in a pod: no etcd user", () => {
  const cluster = clusterFrom(toml('mode = "kubeadm"\n[kubeadm]\nkubernetes_version = "1.34.1"'));
  const doc = YAML.parse(renderUserData(cluster, cluster.nodes[0]!, [files[0]!]));
  assert.is(doc.users, undefined);
});

test("renderMetaData :: NoCloud instance-id and local-hostname", () => {
  const cluster = clusterFrom(toml(""));
  assert.equal(YAML.parse(renderMetaData(cluster, cluster.nodes[0]!)), { "instance-id": "lab-etcd-1.k8s.lan", "local-hostname": "etcd-1.k8s.lan" });
});


test("instanceId :: the cluster's name is not said twice", () => {
  const named = (cluster: string, node: string) => {
    const c = clusterFrom(`[cluster]\nname = "${cluster}"\netcd_version = "3.5.17"\n[[nodes]]\nname = "${node}"\nip = "10.0.0.11"\n`);
    return instanceId(c, c.nodes[0]!);
  };
  assert.is(named("k8s1", "k8s1-etcd1.k8s.lan"), "k8s1-etcd1.k8s.lan");
  assert.is(named("k8s1", "etcd1.k8s.lan"), "k8s1-etcd1.k8s.lan");
  assert.is(named("lab", "lab.example.org"), "lab.example.org");
  assert.is(named("lab", "labrat"), "lab-labrat");
});

test.run();
