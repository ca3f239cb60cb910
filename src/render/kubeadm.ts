// kubeadm mode: etcd as a static pod run by a standalone kubelet, in kubeadm's layout: the pod
// manifest kubeadm would write, the kubeadm configuration the node would have been built from,
// the kubelet setup, and the control plane's bundle for `etcd.external`.
import { byText } from "../order.js";
import type { IPod } from "kubernetes-models/v1/Pod";
import YAML from "yaml";
import { etcdAtLeast, type Cluster, type KubeadmSettings, type Node } from "../model/cluster.js";
import { clientEndpoints, loopbackFor, memberFlags, type Flag } from "../model/flags.js";
import { urlHost } from "../model/net.js";
import { renderTemplate, shellQuote, unitValue } from "./escape.js";
import { PATHS } from "./layout.js";
import { etcdctlFiles, issued, layoutOf, pkiFiles, type NodeInputs } from "./node-common.js";
import { byPath, ROOT, type NodeFile } from "./node-file.js";
import { BOOTSTRAP_KUBEADM, KUBELET_DROP_IN } from "./templates.js";

const YAML_OPTIONS = { lineWidth: 0, sortMapEntries: true } as const;
const DAY_HOURS = 24;

export function renderKubeadmNode(cluster: Cluster, node: Node, inputs: NodeInputs): NodeFile[] {
  const kubeadm = requireKubeadm(cluster);
  const flags = memberFlags(cluster, node, { token: inputs.token, paths: layoutOf(cluster).member });
  const files: NodeFile[] = [
    { path: PATHS.staticPod, mode: 0o600, owner: ROOT, content: YAML.stringify(staticPod(cluster, node, flags, kubeadm), YAML_OPTIONS) },
    { path: PATHS.kubeadmConfig, mode: 0o600, owner: ROOT, content: kubeadmNodeConfig(cluster, node, flags, kubeadm) },
    { path: PATHS.kubeletConfig, mode: 0o644, owner: ROOT, content: YAML.stringify(kubeletConfig(), YAML_OPTIONS) },
    {
      path: PATHS.kubeletDropIn,
      mode: 0o644,
      owner: ROOT,
      content: renderTemplate(KUBELET_DROP_IN, { kubelet: "/usr/bin/kubelet", config: PATHS.kubeletConfig }, unitValue),
    },
    ...etcdctlFiles(cluster),
    { path: PATHS.bootstrap, mode: 0o755, owner: ROOT, content: bootstrap(cluster, node, kubeadm) },
    ...pkiFiles(cluster, node, inputs),
  ];
  return files.sort(byPath);
}

function requireKubeadm(cluster: Cluster): KubeadmSettings {
  if (!cluster.kubeadm) throw new Error("kubeadm settings missing in kubeadm mode");
  return cluster.kubeadm;
}

// --- the static pod -----------------------------------------------------------------------------

interface ProbePaths {
  liveness: string;
  readiness: string | undefined;
  startup: string;
}

/** kubeadm's probe paths for the etcd it runs: /livez and /readyz need etcd 3.5.11 or later. */
export function probePaths(cluster: Cluster): ProbePaths {
  if (etcdAtLeast(cluster.etcdVersion, 5, 11)) return { liveness: "/livez", readiness: "/readyz", startup: "/readyz" };
  if (cluster.etcdVersion.minor === 5) return { liveness: "/health?exclude=NOSPACE&serializable=true", readiness: undefined, startup: "/health?serializable=false" };
  return { liveness: "/health", readiness: undefined, startup: "/health" };
}

function staticPod(cluster: Cluster, node: Node, flags: readonly Flag[], kubeadm: KubeadmSettings): IPod {
  const member = layoutOf(cluster).member;
  const certsDir = member.ca.slice(0, member.ca.lastIndexOf("/"));
  const probes = probePaths(cluster);
  const probe = (path: string, extra: { initialDelaySeconds?: number; periodSeconds: number; failureThreshold: number }) => ({
    ...extra,
    httpGet: { host: loopbackFor(node).text, path, port: "probe-port", scheme: "HTTP" as const },
    timeoutSeconds: 15,
  });
  const advertise = flags.find((f) => f.name === "advertise-client-urls")!.value;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      annotations: { "kubeadm.kubernetes.io/etcd.advertise-client-urls": advertise },
      labels: { component: "etcd", tier: "control-plane" },
      name: "etcd",
      namespace: "kube-system",
    },
    spec: {
      containers: [
        {
          command: ["etcd", ...sortedFlags(flags).map((f) => `--${f.name}=${f.value}`)],
          image: `${kubeadm.imageRepository}/etcd:${kubeadm.imageTag}`,
          imagePullPolicy: "IfNotPresent",
          livenessProbe: probe(probes.liveness, { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 8 }),
          ...(probes.readiness ? { readinessProbe: probe(probes.readiness, { periodSeconds: 1, failureThreshold: 3 }) } : {}),
          startupProbe: probe(probes.startup, { initialDelaySeconds: 10, periodSeconds: 10, failureThreshold: 24 }),
          name: "etcd",
          ports: [{ containerPort: cluster.ports.metrics, name: "probe-port", protocol: "TCP" }],
          resources: { requests: { cpu: "100m", memory: "100Mi" } },
          volumeMounts: [
            { mountPath: cluster.dataDir, name: "etcd-data" },
            { mountPath: certsDir, name: "etcd-certs" },
          ],
        },
      ],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      volumes: [
        { hostPath: { path: certsDir, type: "DirectoryOrCreate" }, name: "etcd-certs" },
        { hostPath: { path: cluster.dataDir, type: "DirectoryOrCreate" }, name: "etcd-data" },
      ],
    },
  };
}

/** kubeadm sorts the static pod's flags by name. */
function sortedFlags(flags: readonly Flag[]): Flag[] {
  return [...flags].sort(byText((f) => f.name));
}

// --- the kubeadm configuration ------------------------------------------------------------------

/** Flags kubeadm derives itself from the configuration; everything else goes into extraArgs. */
const DERIVED_BY_KUBEADM = new Set([
  "data-dir",
  "cert-file",
  "key-file",
  "trusted-ca-file",
  "client-cert-auth",
  "peer-cert-file",
  "peer-key-file",
  "peer-trusted-ca-file",
  "peer-client-cert-auth",
  "snapshot-count",
  "feature-gates",
  "watch-progress-notify-interval",
  "experimental-initial-corrupt-check",
  "experimental-watch-progress-notify-interval",
]);

/** kubeadm's own metrics port; another one must be passed as an extra argument. */
const KUBEADM_METRICS_PORT = 2381;

function extraArgs(node: Node, flags: readonly Flag[]): Flag[] {
  const kubeadmMetrics = `http://${urlHost(loopbackFor(node))}:${KUBEADM_METRICS_PORT}`;
  return sortedFlags(flags.filter((f) => !DERIVED_BY_KUBEADM.has(f.name) && !(f.name === "listen-metrics-urls" && f.value === kubeadmMetrics)));
}

function kubeadmNodeConfig(cluster: Cluster, node: Node, flags: readonly Flag[], kubeadm: KubeadmSettings): string {
  const apiVersion = `kubeadm.k8s.io/${kubeadm.configApi}`;
  const init = {
    apiVersion,
    kind: "InitConfiguration",
    localAPIEndpoint: { advertiseAddress: node.ip.text },
    nodeRegistration: { name: node.name },
  };
  const args = extraArgs(node, flags);
  const sans = extraSans(cluster, node);
  const local = {
    dataDir: cluster.dataDir,
    extraArgs: kubeadm.configApi === "v1beta4" ? args.map((f) => ({ name: f.name, value: f.value })) : Object.fromEntries(args.map((f) => [f.name, f.value])),
    imageRepository: kubeadm.imageRepository,
    imageTag: kubeadm.imageTag,
    // kubeadm adds the node name, localhost, the advertise address, 127.0.0.1 and ::1 itself.
    ...(sans.length > 0 ? { peerCertSANs: sans, serverCertSANs: sans } : {}),
  };
  const clusterConfig = {
    apiVersion,
    kind: "ClusterConfiguration",
    certificatesDir: PATHS.kubeadmPkiDir,
    etcd: { local },
    ...(kubeadm.kubernetesVersion ? { kubernetesVersion: `v${kubeadm.kubernetesVersion}` } : {}),
    ...(kubeadm.configApi === "v1beta4" ? v1beta4Pki(cluster) : v1beta3Pki(cluster)),
  };
  return [init, clusterConfig].map((doc) => YAML.stringify(doc, YAML_OPTIONS)).join("---\n");
}

function extraSans(cluster: Cluster, node: Node): string[] {
  return [...node.dns, ...cluster.tls.extraSans.dns, ...cluster.tls.extraSans.ips.map((ip) => ip.text)];
}

/** v1beta4 records the validity and key algorithm of the certificates kubeadm would renew. */
function v1beta4Pki(cluster: Cluster) {
  const algorithm = { "ecdsa-p256": "ECDSA-P256", "ecdsa-p384": "ECDSA-P384", "rsa-2048": "RSA-2048", "rsa-3072": "RSA-3072", "rsa-4096": "RSA-4096" }[
    cluster.tls.keyAlgorithm
  ];
  return {
    caCertificateValidityPeriod: `${cluster.tls.caValidityDays * DAY_HOURS}h0m0s`,
    certificateValidityPeriod: `${cluster.tls.certValidityDays * DAY_HOURS}h0m0s`,
    encryptionAlgorithm: algorithm,
  };
}

/** v1beta3 knows only RSA-2048 and, through a feature gate, ECDSA P-256 (normalize refuses the rest). */
function v1beta3Pki(cluster: Cluster) {
  return cluster.tls.keyAlgorithm === "ecdsa-p256" ? { featureGates: { PublicKeysECDSA: true } } : {};
}

// --- the kubelet --------------------------------------------------------------------------------

function kubeletConfig() {
  return {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: "127.0.0.1",
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false } },
    authorization: { mode: "AlwaysAllow" },
    cgroupDriver: "systemd",
    containerRuntimeEndpoint: "unix:///var/run/containerd/containerd.sock",
    staticPodPath: PATHS.manifestsDir,
  };
}

function bootstrap(cluster: Cluster, node: Node, kubeadm: KubeadmSettings): string {
  const version = kubeadm.kubernetesVersion;
  const minor = version?.split(".").slice(0, 2).join(".");
  const repo = `https://pkgs.k8s.io/core:/stable:/v${minor}/deb/`;
  return renderTemplate(
    BOOTSTRAP_KUBEADM,
    {
      node: node.name,
      cluster: cluster.name,
      dataDir: cluster.dataDir,
      pkgs:
        kubeadm.install === "pkgs.k8s.io" && version
          ? {
              keyUrl: `${repo}Release.key`,
              repoLine: `deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] ${repo} /`,
              // pkgs.k8s.io versions its packages VERSION-1.1.
              packages: [`kubelet=${version}-1.1`, `kubeadm=${version}-1.1`],
            }
          : false,
    },
    shellQuote,
  );
}

// --- the control plane's bundle -----------------------------------------------------------------

/** What `kubeadm init` needs to use this cluster as external etcd; paths are kubeadm's. */
export function controlPlaneBundle(cluster: Cluster, inputs: NodeInputs, configApi: KubeadmSettings["configApi"]): NodeFile[] {
  const client = issued(inputs, "client/apiserver-etcd-client");
  const paths = {
    caFile: `${PATHS.kubeadmPkiDir}/etcd/ca.crt`,
    certFile: `${PATHS.kubeadmPkiDir}/apiserver-etcd-client.crt`,
    keyFile: `${PATHS.kubeadmPkiDir}/apiserver-etcd-client.key`,
  };
  const config = {
    apiVersion: `kubeadm.k8s.io/${configApi}`,
    kind: "ClusterConfiguration",
    etcd: { external: { endpoints: clientEndpoints(cluster), ...paths } },
  };
  const header = `# Merge into the ClusterConfiguration you pass to kubeadm init --config, and copy ca.crt,\n# apiserver-etcd-client.crt and .key to the paths below on every control-plane node.\n`;
  return [
    { path: "apiserver-etcd-client.crt", mode: 0o644, owner: ROOT, content: client.certPem },
    { path: "apiserver-etcd-client.key", mode: 0o600, owner: ROOT, content: client.keyPem },
    { path: "ca.crt", mode: 0o644, owner: ROOT, content: issued(inputs, "ca").certPem },
    { path: "kubeadm-etcd-external.yaml", mode: 0o644, owner: ROOT, content: header + YAML.stringify(config, YAML_OPTIONS) },
  ];
}
