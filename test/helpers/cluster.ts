// Building a Cluster from TOML text in tests, failing loudly if it does not compile.
import { compileCluster } from "../../src/compile.js";
import { formatPath } from "../../src/diag/diagnostic.js";
import type { Cluster } from "../../src/model/cluster.js";

export function clusterFrom(toml: string): Cluster {
  const { cluster, diagnostics } = compileCluster(toml);
  if (!cluster) throw new Error(`test cluster does not compile: ${diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`).join(", ")}`);
  return cluster;
}

export function threeNodes(extra = "", algorithm = "ecdsa-p256"): string {
  return `[cluster]
name = "lab"
etcd_version = "3.5.17"
[tls]
key_algorithm = "${algorithm}"
${extra}
[[nodes]]
name = "etcd-1"
ip = "10.0.0.11"
dns = ["etcd-1.lan"]
[[nodes]]
name = "etcd-2"
ip = "10.0.0.12"
[[nodes]]
name = "etcd-3"
ip = "fd00::13"
[[clients]]
name = "apiserver-etcd-client"
`;
}
