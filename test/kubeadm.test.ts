// kubeadm mode's documents checked against the Kubernetes API: the static pod with
// kubernetes-models' validation, the kubelet and kubeadm configurations against the fields their
// Go types define (test/schemas, each naming the source it was taken from; no unknown keys).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { Pod } from "kubernetes-models/v1/Pod";
import { test } from "uvu";
import * as assert from "uvu/assert";
import YAML from "yaml";
import { buildPki, compileCluster } from "../src/compile.js";
import { formatPath } from "../src/diag/diagnostic.js";
import { memberFlags } from "../src/model/flags.js";
import { probePaths } from "../src/render/kubeadm.js";
import { assembleOutput } from "../src/targets/output.js";
import { clusterFrom } from "./helpers/cluster.js";
import { testEnv } from "./helpers/env.js";
import { REPO } from "./helpers/fs.js";

const schema = (name: string) => JSON.parse(readFileSync(join(REPO, "test", "schemas", name), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: false });
for (const name of ["kubeadm-v1beta4.schema.json", "kubeadm-v1beta3.schema.json", "kubelet-config-v1beta1.schema.json"]) ajv.addSchema(schema(name), name);

function check(schemaRef: string, doc: unknown): string[] {
  const validate = ajv.getSchema(schemaRef);
  if (!validate) throw new Error(`no schema ${schemaRef}`);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

const kubeadmCluster = (extra = "", version = "3.6.4") => `[cluster]
name = "lab"
etcd_version = "${version}"
mode = "kubeadm"
[kubeadm]
kubernetes_version = "1.34.1"
${extra}
[tls]
extra_sans = ["etcd.lan", "10.0.0.10"]
[[nodes]]
name = "etcd-1"
ip = "10.0.0.11"
dns = ["etcd-1.lan"]
[[nodes]]
name = "etcd-2"
ip = "10.0.0.12"
[[nodes]]
name = "etcd-3"
ip = "fd00::13"
`;

async function render(toml: string): Promise<Map<string, string>> {
  const cluster = clusterFrom(toml);
  const pki = await buildPki(cluster, { token: undefined, pairs: new Map() }, testEnv(), { reissueStale: false, newCa: false });
  assert.ok(pki.ok);
  const files = assembleOutput(cluster, { token: pki.token, certs: pki.certs, redact: false });
  return new Map(files.map((f) => [f.path, f.content]));
}

test("kubeadm :: config_api follows kubernetes_version: v1beta3 before 1.31, v1beta4 from 1.31", () => {
  const api = (version: string) => clusterFrom(kubeadmCluster().replace('kubernetes_version = "1.34.1"', `kubernetes_version = "${version}"`)).kubeadm!.configApi;
  assert.is(api("1.30.9"), "v1beta3");
  assert.is(api("1.31.0"), "v1beta4");
  assert.is(api("1.34.1"), "v1beta4");
});

test("kubeadm :: v1beta3 refuses what only v1beta4 can record; ECDSA P-256 goes through PublicKeysECDSA", async () => {
  const codes = (extraKubeadm: string, tls: string) =>
    compileCluster(kubeadmCluster(extraKubeadm).replace("[tls]\n", `[tls]\n${tls}\n`)).diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`);
  assert.equal(codes('config_api = "v1beta3"', 'key_algorithm = "ecdsa-p384"\ncert_validity_days = 730'), [
    "E_KUBEADM_NEEDS_V1BETA4@tls.key_algorithm",
    "E_KUBEADM_NEEDS_V1BETA4@tls.cert_validity_days",
  ]);
  assert.equal(codes('config_api = "v1beta4"', 'key_algorithm = "ecdsa-p384"'), []);
  const tooNew = compileCluster(kubeadmCluster('config_api = "v1beta4"').replace('kubernetes_version = "1.34.1"', 'kubernetes_version = "1.30.2"'));
  assert.equal(tooNew.diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`), ["E_KUBEADM_CONFIG_API_TOO_NEW@kubeadm.config_api"]);
  const files = await render(kubeadmCluster('config_api = "v1beta3"'));
  const docs = YAML.parseAllDocuments(files.get("etcd-1/files/etc/kubernetes/kubeadm-config.yaml")!).map((d) => d.toJSON());
  assert.equal(docs[1].featureGates, { PublicKeysECDSA: true });
  assert.is(docs[1].encryptionAlgorithm, undefined);
});

test("kubeadm :: the static pod is a valid v1 Pod as kubeadm writes it", async () => {
  const files = await render(kubeadmCluster());
  for (const node of ["etcd-1", "etcd-3"]) {
    const pod = YAML.parse(files.get(`${node}/files/etc/kubernetes/manifests/etcd.yaml`)!);
    new Pod(pod).validate();
    const c = pod.spec.containers[0];
    assert.is(pod.metadata.namespace, "kube-system");
    assert.equal(pod.metadata.labels, { component: "etcd", tier: "control-plane" });
    assert.is(pod.spec.hostNetwork, true);
    assert.is(pod.spec.priorityClassName, "system-node-critical");
    assert.equal(pod.spec.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    assert.is(c.image, "registry.k8s.io/etcd:3.6.4-0");
    assert.equal(c.resources, { requests: { cpu: "100m", memory: "100Mi" } });
    assert.equal(c.ports, [{ containerPort: 2381, name: "probe-port", protocol: "TCP" }]);
    // Probes on the metrics port, on the loopback of the node's address family.
    const host = node === "etcd-3" ? "::1" : "127.0.0.1";
    for (const p of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
      assert.is(p.httpGet.port, "probe-port");
      assert.is(p.httpGet.host, host);
    }
    assert.equal([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.startupProbe.httpGet.path], ["/livez", "/readyz", "/readyz"]);
    assert.equal(pod.spec.volumes.map((v: { name: string; hostPath: { path: string; type: string } }) => [v.name, v.hostPath.path, v.hostPath.type]), [
      ["etcd-certs", "/etc/kubernetes/pki/etcd", "DirectoryOrCreate"],
      ["etcd-data", "/var/lib/etcd", "DirectoryOrCreate"],
    ]);
    // The command's flags are sorted by name, as kubeadm sorts them.
    const flags: string[] = c.command.slice(1);
    const names = flags.map((f) => f.slice(2, f.indexOf("=")));
    assert.equal(names, [...names].sort());
    assert.ok(flags.includes("--feature-gates=InitialCorruptCheck=true"));
    assert.ok(flags.includes("--watch-progress-notify-interval=5s"));
    assert.ok(flags.includes(`--listen-metrics-urls=http://${node === "etcd-3" ? "[::1]" : "127.0.0.1"}:2381`));
  }
});

test("kubeadm :: a broken pod fails the Kubernetes validation (the check can fail)", () => {
  assert.throws(() => new Pod({ metadata: { name: "etcd" }, spec: { containers: [{ name: "etcd", ports: [{ containerPort: "2381" as unknown as number }] }] } }).validate());
});

test("kubeadm :: flags and probes follow the etcd version", () => {
  const flagNames = (version: string) => memberFlags(clusterFrom(kubeadmCluster("", version)), clusterFrom(kubeadmCluster("", version)).nodes[0]!, { token: "t", paths: { ca: "/c", serverCert: "/s", serverKey: "/k", peerCert: "/p", peerKey: "/q" } }).map((f) => `${f.name}=${f.value}`);
  assert.ok(flagNames("3.6.4").includes("feature-gates=InitialCorruptCheck=true"));
  assert.ok(flagNames("3.5.17").includes("experimental-initial-corrupt-check=true"));
  assert.ok(flagNames("3.5.17").includes("experimental-watch-progress-notify-interval=5s"));
  assert.not.ok(flagNames("3.5.17").some((f) => f.startsWith("feature-gates")));
  assert.ok(flagNames("3.4.23").includes("logger=zap"));
  assert.not.ok(flagNames("3.4.23").some((f) => f.includes("watch-progress")));
  assert.equal(probePaths(clusterFrom(kubeadmCluster("", "3.5.17"))), { liveness: "/livez", readiness: "/readyz", startup: "/readyz" });
  assert.equal(probePaths(clusterFrom(kubeadmCluster("", "3.5.9"))), { liveness: "/health?exclude=NOSPACE&serializable=true", readiness: undefined, startup: "/health?serializable=false" });
  assert.equal(probePaths(clusterFrom(kubeadmCluster("", "3.4.23"))), { liveness: "/health", readiness: undefined, startup: "/health" });
});

test("kubeadm :: the kubelet configuration has only KubeletConfiguration's fields", async () => {
  const files = await render(kubeadmCluster());
  const config = YAML.parse(files.get("etcd-1/files/etc/kubernetes/kubelet-etcd.yaml")!);
  assert.equal(check("kubelet-config-v1beta1.schema.json", config), []);
  assert.is(config.staticPodPath, "/etc/kubernetes/manifests");
  assert.not.ok(check("kubelet-config-v1beta1.schema.json", { ...config, staticPodDir: "/x" }).length === 0, "an unknown key is rejected");
  // The YAML is not in kubelet.service.d, where systemd would read it as a drop-in.
  assert.ok([...files.keys()].filter((p) => p.includes("kubelet.service.d/")).every((p) => p.endsWith(".conf")));
  assert.match(files.get("etcd-1/files/etc/systemd/system/kubelet.service.d/20-etcd-service-manager.conf")!, "--config=/etc/kubernetes/kubelet-etcd.yaml");
});

for (const api of ["v1beta4", "v1beta3"] as const) {
  test(`kubeadm :: ${api} configurations have only kubeadm's fields`, async () => {
    const files = await render(kubeadmCluster(`config_api = "${api}"`));
    const schemaName = `kubeadm-${api}.schema.json`;
    const docs = YAML.parseAllDocuments(files.get("etcd-2/files/etc/kubernetes/kubeadm-config.yaml")!).map((d) => d.toJSON());
    assert.equal(docs.map((d) => d.kind), ["InitConfiguration", "ClusterConfiguration"]);
    assert.equal(check(`${schemaName}#/definitions/InitConfiguration`, docs[0]), []);
    assert.equal(check(`${schemaName}#/definitions/ClusterConfiguration`, docs[1]), []);
    const local = docs[1].etcd.local;
    assert.equal(local.serverCertSANs, ["etcd.lan", "10.0.0.10"]);
    const args = api === "v1beta4" ? Object.fromEntries(local.extraArgs.map((a: { name: string; value: string }) => [a.name, a.value])) : local.extraArgs;
    assert.is(args["initial-cluster-state"], "new");
    assert.match(args["initial-cluster"], "etcd-3=https://[fd00::13]:2380");
    assert.is(args.name, "etcd-2");
    const external = YAML.parse(files.get("control-plane/kubeadm-etcd-external.yaml")!);
    assert.equal(check(`${schemaName}#/definitions/ClusterConfiguration`, external), []);
    assert.equal(external.etcd.external.endpoints, ["https://10.0.0.11:2379", "https://10.0.0.12:2379", "https://[fd00::13]:2379"]);
    const broken = { ...docs[1], etcd: { local: { ...local, imageTags: "x" } } };
    assert.not.equal(check(`${schemaName}#/definitions/ClusterConfiguration`, broken), [], "an unknown key is rejected");
  });
}

test("kubeadm :: a metrics port other than kubeadm's 2381 goes into extraArgs", async () => {
  const files = await render(kubeadmCluster().replace("[tls]", "[ports]\nmetrics = 2391\n[tls]"));
  const docs = YAML.parseAllDocuments(files.get("etcd-1/files/etc/kubernetes/kubeadm-config.yaml")!).map((d) => d.toJSON());
  const args = docs[1].etcd.local.extraArgs as { name: string; value: string }[];
  assert.equal(args.find((a) => a.name === "listen-metrics-urls"), { name: "listen-metrics-urls", value: "http://127.0.0.1:2391" });
  const defaults = await render(kubeadmCluster());
  const plain = YAML.parseAllDocuments(defaults.get("etcd-1/files/etc/kubernetes/kubeadm-config.yaml")!).map((d) => d.toJSON());
  assert.not.ok((plain[1].etcd.local.extraArgs as { name: string }[]).some((a) => a.name === "listen-metrics-urls"));
});

test("kubeadm :: kubeadm's layout on the node; the CA key only when asked", async () => {
  const files = await render(kubeadmCluster());
  const node = [...files.keys()].filter((p) => p.startsWith("etcd-1/files/etc/kubernetes/pki/")).map((p) => p.slice("etcd-1/files".length));
  assert.equal(node.sort(), [
    "/etc/kubernetes/pki/apiserver-etcd-client.crt",
    "/etc/kubernetes/pki/apiserver-etcd-client.key",
    "/etc/kubernetes/pki/etcd/ca.crt",
    "/etc/kubernetes/pki/etcd/healthcheck-client.crt",
    "/etc/kubernetes/pki/etcd/healthcheck-client.key",
    "/etc/kubernetes/pki/etcd/peer.crt",
    "/etc/kubernetes/pki/etcd/peer.key",
    "/etc/kubernetes/pki/etcd/server.crt",
    "/etc/kubernetes/pki/etcd/server.key",
  ]);
  const withKey = await render(kubeadmCluster("ca_key_on_nodes = true"));
  assert.ok(withKey.has("etcd-1/files/etc/kubernetes/pki/etcd/ca.key"));
  assert.match(withKey.get("etcd-1/files/etc/kubernetes/pki/etcd/ca.key")!, "PRIVATE KEY");
});

test.run();
