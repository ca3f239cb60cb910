// What every node gets whatever the mode: its certificates in the chosen layout, etcdctl's
// settings and the profile snippet that loads them.
import type { Cluster, Node } from "../model/cluster.js";
import type { IssuedCert } from "../pki/reconcile.js";
import { renderTemplate, shellQuote } from "./escape.js";
import { renderEtcdctlEnv } from "./etcdctl.js";
import { LAYOUTS, PATHS, type Layout } from "./layout.js";
import { ETCD_USER, ROOT, type NodeFile } from "./node-file.js";
import { PROFILE_SNIPPET } from "./templates.js";

export interface NodeInputs {
  token: string;
  /** Issued certificates by id ("server/etcd-1"). */
  certs: ReadonlyMap<string, IssuedCert>;
}

export function layoutOf(cluster: Cluster): Layout {
  return LAYOUTS[cluster.tls.pkiLayout];
}

export function issued(inputs: NodeInputs, id: string): IssuedCert {
  const cert = inputs.certs.get(id);
  if (!cert) throw new Error(`certificate ${id} was not issued`);
  return cert;
}

/** The node's certificates and keys; in systemd mode the etcd user owns what etcd reads. */
export function pkiFiles(cluster: Cluster, node: Node, inputs: NodeInputs): NodeFile[] {
  if (!cluster.tls.enabled) return [];
  const layout = layoutOf(cluster);
  const ownerOf = (readByEtcd: boolean) => (readByEtcd && cluster.mode === "systemd" ? ETCD_USER : ROOT);
  const files = layout.placements(node).flatMap((p) => {
    const cert = issued(inputs, p.id);
    const owner = ownerOf(p.readByEtcd);
    const out: NodeFile[] = [{ path: p.cert, mode: 0o644, owner, content: cert.certPem }];
    if (p.key) out.push({ path: p.key, mode: 0o600, owner, content: cert.keyPem });
    return out;
  });
  if (cluster.kubeadm?.caKeyOnNodes) files.push({ path: layout.caKey, mode: 0o600, owner: ROOT, content: issued(inputs, "ca").keyPem });
  return files;
}

export function etcdctlFiles(cluster: Cluster): NodeFile[] {
  const layout = layoutOf(cluster);
  return [
    {
      path: PATHS.etcdctlEnv,
      mode: 0o600,
      owner: ROOT,
      content: renderEtcdctlEnv(cluster, { ca: layout.member.ca, ...layout.etcdctlClient }, `loaded by ${PATHS.profileSnippet} for root`),
    },
    { path: PATHS.profileSnippet, mode: 0o644, owner: ROOT, content: renderTemplate(PROFILE_SNIPPET, { envFile: PATHS.etcdctlEnv }, shellQuote) },
  ];
}
