// Where a member's certificates and configuration live on the node.
import type { MemberPkiPaths } from "../model/flags.js";

export const PATHS = {
  etcdEnv: "/etc/etcd/etcd.env",
  etcdctlEnv: "/etc/etcd/etcdctl.env",
  profileSnippet: "/etc/profile.d/etcdctl.sh",
  unit: "/etc/systemd/system/etcd.service",
  bootstrap: "/usr/local/sbin/etcdgen-bootstrap",
} as const;

const ETCDGEN_PKI_DIR = "/etc/etcd/pki";

export const ETCDGEN_PKI: MemberPkiPaths = {
  ca: `${ETCDGEN_PKI_DIR}/ca.crt`,
  serverCert: `${ETCDGEN_PKI_DIR}/server.crt`,
  serverKey: `${ETCDGEN_PKI_DIR}/server.key`,
  peerCert: `${ETCDGEN_PKI_DIR}/peer.crt`,
  peerKey: `${ETCDGEN_PKI_DIR}/peer.key`,
};
