// The normalized cluster: every default made explicit, names and addresses checked and put in
// canonical form. Later stages read only this.
import type { ClusterMode, InstallMethod, KeyAlgorithm, KubeadmConfigApi, KubeadmInstall, MetricsBind, PkiLayout } from "../spec/types.js";
import type { IpAddress } from "./net.js";

export interface EtcdVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

/** Whether etcd `version` is 3.minor.patch or later (within etcd 3, the only major supported). */
export function etcdAtLeast(version: EtcdVersion, minor: number, patch: number): boolean {
  return version.minor > minor || (version.minor === minor && version.patch >= patch);
}

export interface Cluster {
  name: string;
  etcdVersion: EtcdVersion;
  mode: ClusterMode;
  dataDir: string;
  /** Undefined when the cluster file does not set it: the state folder then supplies one. */
  token: string | undefined;
  /** clientHttp: HTTP on a listener of its own (etcd 3.5.8+); absent, HTTP shares the client port. */
  ports: { client: number; peer: number; metrics: number; metricsBind: MetricsBind; clientHttp?: number };
  tls: TlsSettings;
  install: Install;
  /** Set in kubeadm mode only. */
  kubeadm: KubeadmSettings | undefined;
  nodes: Node[];
  clients: Client[];
}

export interface TlsSettings {
  enabled: boolean;
  keyAlgorithm: KeyAlgorithm;
  caValidityDays: number;
  certValidityDays: number;
  extraSans: { dns: string[]; ips: IpAddress[] };
  clientCertAuth: boolean;
  pkiLayout: PkiLayout;
}

export interface KubeadmSettings {
  configApi: KubeadmConfigApi;
  /** MAJOR.MINOR.PATCH, or undefined when the image brings kubelet and kubeadm. */
  kubernetesVersion: string | undefined;
  install: KubeadmInstall;
  imageRepository: string;
  imageTag: string;
  caKeyOnNodes: boolean;
}

export type Install =
  | { method: Extract<InstallMethod, "preinstalled">; binary: string }
  | { method: Extract<InstallMethod, "package">; packages: string[]; binary: string }
  | { method: Extract<InstallMethod, "tarball">; url: string; sha256: string; binary: string };

export interface Node {
  name: string;
  ip: IpAddress;
  dns: string[];
}

export interface Client {
  name: string;
  commonName: string;
  organizations: string[];
  /** Index of its [[clients]] table; undefined for the clients etcdgen adds itself. */
  index: number | undefined;
}

export const DEFAULTS = {
  mode: "systemd" as ClusterMode,
  dataDir: "/var/lib/etcd",
  ports: { client: 2379, peer: 2380, metrics: 2381 },
  keyAlgorithm: "ecdsa-p256" as KeyAlgorithm,
  caValidityDays: 3650,
  certValidityDays: 365,
  installMethod: "package" as InstallMethod,
  packages: ["etcd-server", "etcd-client"],
  metricsBind: "node" as MetricsBind,
  kubeadmConfigApi: "v1beta4" as KubeadmConfigApi,
  kubeadmInstall: "pkgs.k8s.io" as KubeadmInstall,
  imageRepository: "registry.k8s.io",
  packageBinary: "/usr/bin/etcd",
  preinstalledBinary: "/usr/bin/etcd",
  tarballBinary: "/usr/local/bin/etcd",
};

/** Clients every cluster gets, whether or not the file lists them. */
export const BUILTIN_CLIENTS: readonly Client[] = [
  { name: "admin", commonName: "admin", organizations: [], index: undefined },
];

/** Node names taken by what the output folder holds beside the nodes' folders. */
export const RESERVED_NODE_NAMES = ["admin", "clients", "control-plane", "manifest.json"];

/** kubeadm's layout has the API server's etcd client certificate beside the etcd ones. */
export const KUBEADM_LAYOUT_CLIENTS: readonly Client[] = [
  { name: "apiserver-etcd-client", commonName: "kube-apiserver-etcd-client", organizations: [], index: undefined },
];

/** Client names taken by certificates etcdgen issues under another role. */
export const RESERVED_CLIENT_NAMES = ["healthcheck-client", "ca", "server", "peer"];

/** Common names kubeadm gives well-known clients; used when the file names one without a cn. */
export const KNOWN_CLIENT_CNS: Record<string, string> = {
  "apiserver-etcd-client": "kube-apiserver-etcd-client",
  "healthcheck-client": "kube-etcd-healthcheck-client",
};
