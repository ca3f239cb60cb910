// The cluster file as written: what schemas/cluster.schema.json accepts. Optional fields stay
// optional here; normalizeCluster makes every default explicit.

export type ClusterMode = "systemd" | "kubeadm";
export type KeyAlgorithm = "ecdsa-p256" | "ecdsa-p384" | "rsa-2048" | "rsa-3072" | "rsa-4096";
export type InstallMethod = "preinstalled" | "package" | "tarball";
export type MetricsBind = "node" | "loopback";
export type PkiLayout = "etcdgen" | "kubeadm";
export type KubeadmConfigApi = "v1beta4" | "v1beta3";
export type KubeadmInstall = "pkgs.k8s.io" | "preinstalled";

export interface ClusterSpec {
  cluster: {
    name: string;
    etcd_version: string;
    mode?: ClusterMode;
    data_dir?: string;
    token?: string;
  };
  ports?: { client?: number; peer?: number; metrics?: number; metrics_bind?: MetricsBind; client_http?: number };
  tls?: {
    enabled?: boolean;
    allow_insecure?: boolean;
    key_algorithm?: KeyAlgorithm;
    ca_validity_days?: number;
    cert_validity_days?: number;
    extra_sans?: string[];
    client_cert_auth?: boolean;
    pki_layout?: PkiLayout;
  };
  install?: {
    method?: InstallMethod;
    binary?: string;
    packages?: string[];
    url?: string;
    sha256?: string;
  };
  kubeadm?: {
    config_api?: KubeadmConfigApi;
    kubernetes_version?: string;
    install?: KubeadmInstall;
    image_repository?: string;
    image_tag?: string;
    ca_key_on_nodes?: boolean;
  };
  nodes: NodeSpec[];
  clients?: ClientSpec[];
}

export interface NodeSpec {
  name: string;
  ip: string;
  dns?: string[];
}

export interface ClientSpec {
  name: string;
  cn?: string;
  o?: string[];
}
