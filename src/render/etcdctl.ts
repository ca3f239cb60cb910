// etcdctl environment files: one on each node, one in the operator's admin bundle.
import type { Cluster } from "../model/cluster.js";
import { clientEndpoints } from "../model/flags.js";
import { shellQuote, renderTemplate } from "./escape.js";
import { ETCDCTL_ENV } from "./templates.js";

export interface EtcdctlCredentials {
  ca: string;
  cert: string;
  key: string;
}

export function renderEtcdctlEnv(cluster: Cluster, credentials: EtcdctlCredentials, usage: string): string {
  const vars = [
    { name: "ETCDCTL_API", value: "3" },
    { name: "ETCDCTL_ENDPOINTS", value: clientEndpoints(cluster).join(",") },
  ];
  if (cluster.tls.enabled)
    vars.push(
      { name: "ETCDCTL_CACERT", value: credentials.ca },
      { name: "ETCDCTL_CERT", value: credentials.cert },
      { name: "ETCDCTL_KEY", value: credentials.key },
    );
  return renderTemplate(ETCDCTL_ENV, { cluster: cluster.name, usage, vars }, shellQuote);
}
