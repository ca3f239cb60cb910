// Assembles everything `etcdgen build` writes below the output folder: per node user-data,
// meta-data and a files/ tree, the operator's admin bundle, and manifest.json indexing it all.
import { createHash } from "node:crypto";
import type { Cluster } from "../model/cluster.js";
import { clientEndpoints } from "../model/flags.js";
import { redactionTable, redactPem } from "../pki/redact.js";
import type { IssuedCert } from "../pki/reconcile.js";
import { validityDays } from "../pki/x509.js";
import { renderEtcdctlEnv } from "../render/etcdctl.js";
import { modeText, type NodeFile } from "../render/node-file.js";
import { controlPlaneBundle, renderKubeadmNode } from "../render/kubeadm.js";
import { issued, type NodeInputs } from "../render/node-common.js";
import { renderSystemdNode } from "../render/systemd.js";
import { byText } from "../order.js";
import { VERSION } from "../version.js";
import { renderMetaData, renderUserData } from "./cloud-init.js";

export interface OutputFile {
  /** Relative to the output folder, "/"-separated. */
  path: string;
  mode: number;
  content: string;
}

export interface OutputOptions {
  token: string;
  certs: readonly IssuedCert[];
  redact: boolean;
  /** How the admin bundle's folder is written in its env file, e.g. "out/admin". */
  adminDir: string;
}

export const MANIFEST = "manifest.json";
export const REDACTED_TOKEN = "redacted-token";

export function assembleOutput(cluster: Cluster, options: OutputOptions): OutputFile[] {
  const certs = new Map(options.certs.map((c) => [c.spec.id, c]));
  const table = redactionTable(options.certs);
  const clean = (text: string) => (options.redact ? redactPem(text, table) : text);
  // A generated token is as random as a key: redacted output must not depend on it.
  const token = options.redact && cluster.token === undefined ? REDACTED_TOKEN : options.token;

  const out: OutputFile[] = [];
  /** Files of one bundle under `prefix`, redacted when asked; returns them as written. */
  const place = (prefix: string, files: NodeFile[]): NodeFile[] => {
    const cleaned = files.map((f) => ({ ...f, content: clean(f.content) }));
    for (const f of cleaned) out.push({ path: `${prefix}${f.path}`, mode: f.mode, content: f.content });
    return cleaned;
  };
  const inputs = { token, certs };
  const renderNode = cluster.mode === "kubeadm" ? renderKubeadmNode : renderSystemdNode;
  const manifestNodes = cluster.nodes.map((node) => {
    const files = place(`${node.name}/files`, renderNode(cluster, node, inputs));
    out.push({ path: `${node.name}/user-data`, mode: 0o600, content: renderUserData(cluster, node, files) });
    out.push({ path: `${node.name}/meta-data`, mode: 0o644, content: renderMetaData(cluster, node) });
    return { name: node.name, ip: node.ip.text, files: files.map(describe) };
  });
  const admin = place("admin/", adminBundle(cluster, inputs, options.adminDir));
  // The control plane's bundle, wherever there is an API server client certificate to put in it.
  const controlPlane = certs.has("client/apiserver-etcd-client")
    ? place("control-plane/", controlPlaneBundle(cluster, inputs, cluster.kubeadm?.configApi ?? "v1beta4"))
    : [];

  const manifest = {
    generator: `etcdgen ${VERSION}`,
    cluster: {
      name: cluster.name,
      etcdVersion: cluster.etcdVersion.text,
      mode: cluster.mode,
      tls: cluster.tls.enabled,
      clientEndpoints: clientEndpoints(cluster),
    },
    nodes: manifestNodes,
    admin: admin.map(describe),
    ...(controlPlane.length > 0 ? { controlPlane: controlPlane.map(describe) } : {}),
    certificates: options.certs.map((c) => ({
      id: c.spec.id,
      subject: { commonName: c.facts.commonName, organizations: c.facts.organizations },
      issuer: c.facts.issuerCommonName,
      dnsNames: c.facts.dnsNames,
      ipAddresses: c.facts.ipAddresses,
      keyUsages: c.facts.keyUsages,
      extKeyUsages: c.facts.extKeyUsages,
      keyAlgorithm: c.facts.keyAlgorithm,
      validityDays: validityDays(c.facts),
      ...(options.redact ? {} : { serial: c.facts.serialHex, notBefore: c.facts.notBefore.toISOString(), notAfter: c.facts.notAfter.toISOString() }),
    })),
  };
  out.push({ path: MANIFEST, mode: 0o644, content: `${JSON.stringify(manifest, null, 2)}\n` });
  return out.sort(byText((f) => f.path));
}

function describe(file: NodeFile) {
  return { path: file.path, mode: modeText(file.mode), owner: file.owner, sha256: createHash("sha256").update(file.content).digest("hex") };
}

function adminBundle(cluster: Cluster, inputs: NodeInputs, adminDir: string): NodeFile[] {
  const dir = adminDir.replace(/\/+$/, "");
  const env: NodeFile = {
    path: "etcdctl.env",
    mode: 0o644,
    owner: "",
    content: renderEtcdctlEnv(cluster, { ca: `${dir}/ca.crt`, cert: `${dir}/admin.crt`, key: `${dir}/admin.key` }, `source ${dir}/etcdctl.env && etcdctl endpoint health --cluster`),
  };
  if (!cluster.tls.enabled) return [env];
  const admin = issued(inputs, "client/admin");
  return [
    { path: "admin.crt", mode: 0o644, owner: "", content: admin.certPem },
    { path: "admin.key", mode: 0o600, owner: "", content: admin.keyPem },
    { path: "ca.crt", mode: 0o644, owner: "", content: issued(inputs, "ca").certPem },
    env,
  ];
}
