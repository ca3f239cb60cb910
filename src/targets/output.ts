// Assembles everything `etcdgen build` writes below the output folder: per node user-data,
// meta-data and a files/ tree, the operator's admin bundle, and manifest.json indexing it all.
import { createHash } from "node:crypto";
import type { Cluster } from "../model/cluster.js";
import { clientEndpoints } from "../model/flags.js";
import { redactionTable, redactPem } from "../pki/redact.js";
import type { IssuedCert } from "../pki/reconcile.js";
import { validityDays } from "../pki/x509.js";
import { workstationEtcdctlFiles } from "../render/etcdctl.js";
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
}

export const MANIFEST = "manifest.json";
export const REDACTED_TOKEN = "redacted-token";

/** The CA fingerprint an earlier build recorded in its manifest.json, if any. */
export function recordedCaSha256(manifestText: string): string | undefined {
  try {
    const sha256 = (JSON.parse(manifestText) as { ca?: { sha256?: unknown } }).ca?.sha256;
    return typeof sha256 === "string" && /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/.test(sha256) ? sha256 : undefined;
  } catch {
    return undefined;
  }
}

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
  const bundle = (folder: string, client: string) => place(`${folder}/`, clientBundle(cluster, inputs, folder, client));
  const admin = bundle("admin", "admin");
  // Every [[clients]] entry gets a bundle to hand to its owner; the state folder, which holds the
  // CA key, is never what a client is given.
  const clients = cluster.tls.enabled
    ? cluster.clients.filter((c) => c.index !== undefined).map((c) => ({ name: c.name, files: bundle(`clients/${c.name}`, c.name) }))
    : [];
  const ca = certs.get("ca")?.facts;
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
    // Public, and in the redacted output too: a CA that changed shows in review.
    ...(ca ? { ca: { commonName: ca.commonName, sha256: ca.sha256 } } : {}),
    nodes: manifestNodes,
    admin: admin.map(describe),
    ...(clients.length > 0 ? { clients: Object.fromEntries(clients.map((c) => [c.name, c.files.map(describe)])) } : {}),
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

/** A workstation bundle for one client certificate: the certificate, its key, the CA, etcdctl. */
function clientBundle(cluster: Cluster, inputs: NodeInputs, bundle: string, client: string): NodeFile[] {
  if (!cluster.tls.enabled) return workstationEtcdctlFiles(cluster, bundle, client, undefined);
  const cert = issued(inputs, `client/${client}`);
  const files = { ca: "ca.crt", cert: `${client}.crt`, key: `${client}.key` };
  return [
    { path: files.cert, mode: 0o644, owner: "", content: cert.certPem },
    { path: files.key, mode: 0o600, owner: "", content: cert.keyPem },
    { path: files.ca, mode: 0o644, owner: "", content: issued(inputs, "ca").certPem },
    ...workstationEtcdctlFiles(cluster, bundle, client, files),
  ];
}
