// Where things live on a node: configuration paths, and the two certificate layouts as data.
import type { Node } from "../model/cluster.js";
import type { MemberPkiPaths } from "../model/flags.js";
import type { PkiLayout } from "../spec/types.js";

export const PATHS = {
  etcdEnv: "/etc/etcd/etcd.env",
  etcdctlEnv: "/etc/etcd/etcdctl.env",
  profileSnippet: "/etc/profile.d/etcdctl.sh",
  unit: "/etc/systemd/system/etcd.service",
  bootstrap: "/usr/local/sbin/etcdgen-bootstrap",
  staticPod: "/etc/kubernetes/manifests/etcd.yaml",
  manifestsDir: "/etc/kubernetes/manifests",
  kubeadmConfig: "/etc/kubernetes/kubeadm-config.yaml",
  // Outside kubelet.service.d: systemd would try to read a YAML file there as a drop-in.
  kubeletConfig: "/etc/kubernetes/kubelet-etcd.yaml",
  kubeletDropIn: "/etc/systemd/system/kubelet.service.d/20-etcd-service-manager.conf",
  kubeadmPkiDir: "/etc/kubernetes/pki",
} as const;

/** One certificate (and its key) placed on a node. */
export interface PkiPlacement {
  /** The certificate's id in the state folder. */
  id: string;
  cert: string;
  key: string | undefined;
  /** etcd itself reads it (so in systemd mode the etcd user owns it). */
  readByEtcd: boolean;
}

export interface Layout {
  placements(node: Node): PkiPlacement[];
  member: MemberPkiPaths;
  /** The certificate etcdctl on the node uses as a client. */
  etcdctlClient: { cert: string; key: string };
  /** Where the CA key goes when the cluster file asks for it on the nodes. */
  caKey: string;
}

function layoutIn(dir: string, extra: (dir: string) => PkiPlacement[], etcdctlClient: "server" | "healthcheck-client"): Layout {
  const member: MemberPkiPaths = {
    ca: `${dir}/ca.crt`,
    serverCert: `${dir}/server.crt`,
    serverKey: `${dir}/server.key`,
    peerCert: `${dir}/peer.crt`,
    peerKey: `${dir}/peer.key`,
  };
  return {
    member,
    placements: (node) => [
      { id: "ca", cert: member.ca, key: undefined, readByEtcd: true },
      { id: `server/${node.name}`, cert: member.serverCert, key: member.serverKey, readByEtcd: true },
      { id: `peer/${node.name}`, cert: member.peerCert, key: member.peerKey, readByEtcd: true },
      ...extra(dir),
    ],
    etcdctlClient: { cert: `${dir}/${etcdctlClient}.crt`, key: `${dir}/${etcdctlClient}.key` },
    caKey: `${dir}/ca.key`,
  };
}

export const LAYOUTS: Readonly<Record<PkiLayout, Layout>> = {
  etcdgen: layoutIn("/etc/etcd/pki", () => [], "server"),
  // kubeadm's own file names: pki/etcd/* and the API server's client certificate in pki/.
  kubeadm: layoutIn(
    `${PATHS.kubeadmPkiDir}/etcd`,
    (dir) => [
      { id: "client/healthcheck-client", cert: `${dir}/healthcheck-client.crt`, key: `${dir}/healthcheck-client.key`, readByEtcd: false },
      {
        id: "client/apiserver-etcd-client",
        cert: `${PATHS.kubeadmPkiDir}/apiserver-etcd-client.crt`,
        key: `${PATHS.kubeadmPkiDir}/apiserver-etcd-client.key`,
        readByEtcd: false,
      },
    ],
    "healthcheck-client",
  ),
};
