// systemd mode: etcd as a service, configured through an environment file of its flags.
import type { Cluster, Node } from "../model/cluster.js";
import { flagEnvName, memberFlags } from "../model/flags.js";
import { renderTemplate, shellQuote, systemdEnvQuote, unitValue } from "./escape.js";
import { PATHS } from "./layout.js";
import { etcdctlFiles, layoutOf, pkiFiles, type NodeInputs } from "./node-common.js";
import { byPath, ROOT, type NodeFile } from "./node-file.js";
import { BOOTSTRAP, ETCD_ENV, SYSTEMD_UNIT } from "./templates.js";

export function renderSystemdNode(cluster: Cluster, node: Node, inputs: NodeInputs): NodeFile[] {
  const flags = memberFlags(cluster, node, { token: inputs.token, paths: layoutOf(cluster).member });
  const view = { node: node.name, cluster: cluster.name, version: cluster.etcdVersion.text };
  const files: NodeFile[] = [
    {
      path: PATHS.unit,
      mode: 0o644,
      owner: ROOT,
      content: renderTemplate(SYSTEMD_UNIT, { ...view, envFile: PATHS.etcdEnv, binary: cluster.install.binary }, unitValue),
    },
    {
      path: PATHS.etcdEnv,
      mode: 0o644,
      owner: ROOT,
      content: renderTemplate(ETCD_ENV, { ...view, flags: flags.map((f) => ({ env: flagEnvName(f), value: f.value })) }, systemdEnvQuote),
    },
    ...etcdctlFiles(cluster),
    { path: PATHS.bootstrap, mode: 0o755, owner: ROOT, content: renderBootstrap(cluster, node) },
    ...pkiFiles(cluster, node, inputs),
  ];
  return files.sort(byPath);
}

function renderBootstrap(cluster: Cluster, node: Node): string {
  const install = cluster.install;
  return renderTemplate(
    BOOTSTRAP,
    {
      node: node.name,
      cluster: cluster.name,
      dataDir: cluster.dataDir,
      binary: install.binary,
      minor: `${cluster.etcdVersion.major}.${cluster.etcdVersion.minor}`,
      version: cluster.etcdVersion.text,
      package: install.method === "package" ? { packages: install.packages, names: install.packages.map((p) => p.split("=")[0]!) } : false,
      tarball: install.method === "tarball" ? { url: install.url, sha256: install.sha256 } : false,
      preinstalled: install.method === "preinstalled",
    },
    shellQuote,
  );
}
