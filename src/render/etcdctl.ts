// etcdctl settings: the env file on each node, and the workstation bundles (admin, clients).
import type { Cluster } from "../model/cluster.js";
import { clientEndpoints } from "../model/flags.js";
import { shellQuote, renderTemplate } from "./escape.js";
import { ETCDCTL_ENV, ETCDCTL_WRAPPER, WORKSTATION_ETCDCTL_ENV, WORKSTATION_EXPORTS } from "./templates.js";
import type { NodeFile } from "./node-file.js";

export interface EtcdctlCredentials {
  ca: string;
  cert: string;
  key: string;
}

const CREDENTIAL_VARS = [
  ["ETCDCTL_CACERT", "ca"],
  ["ETCDCTL_CERT", "cert"],
  ["ETCDCTL_KEY", "key"],
] as const;

function commonVars(cluster: Cluster) {
  return [
    { name: "ETCDCTL_API", value: "3" },
    { name: "ETCDCTL_ENDPOINTS", value: clientEndpoints(cluster).join(",") },
  ];
}

/** A node's env file: absolute paths on the node. */
export function renderEtcdctlEnv(cluster: Cluster, credentials: EtcdctlCredentials, usage: string): string {
  const vars = commonVars(cluster);
  if (cluster.tls.enabled) vars.push(...CREDENTIAL_VARS.map(([name, field]) => ({ name, value: credentials[field] })));
  return renderTemplate(ETCDCTL_ENV, { cluster: cluster.name, usage, vars }, shellQuote);
}

/**
 * A workstation bundle's env file and etcdctl script. Both name the certificate files relative to
 * their own folder, so the bundle works wherever it is, and the output does not depend on -o.
 * `files` are names within the bundle ("ca.crt", "admin.crt", "admin.key").
 */
export function workstationEtcdctlFiles(cluster: Cluster, bundle: string, client: string, files: EtcdctlCredentials | undefined): NodeFile[] {
  const view = {
    cluster: cluster.name,
    client,
    bundle,
    vars: commonVars(cluster),
    files: files ? CREDENTIAL_VARS.map(([name, field]) => ({ name, file: files[field] })) : [],
  };
  const partials = { exports: WORKSTATION_EXPORTS };
  return [
    { path: "etcdctl", mode: 0o755, owner: "", content: renderTemplate(ETCDCTL_WRAPPER, view, shellQuote, partials) },
    { path: "etcdctl.env", mode: 0o644, owner: "", content: renderTemplate(WORKSTATION_ETCDCTL_ENV, view, shellQuote, partials) },
  ];
}
