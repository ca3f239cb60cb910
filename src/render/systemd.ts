// systemd mode: etcd as a service, configured through an environment file of its flags.
import type { Cluster, Node } from "../model/cluster.js";
import { flagEnvName, memberFlags } from "../model/flags.js";
import type { IssuedCert } from "../pki/reconcile.js";
import { renderTemplate, shellQuote, systemdEnvQuote, unitValue } from "./escape.js";
import { renderEtcdctlEnv } from "./etcdctl.js";
import { ETCDGEN_PKI, PATHS } from "./layout.js";
import { byPath, ETCD_USER, ROOT, type NodeFile } from "./node-file.js";
import { BOOTSTRAP, ETCD_ENV, PROFILE_SNIPPET, SYSTEMD_UNIT } from "./templates.js";

export interface NodeInputs {
  token: string;
  /** Issued certificates by id ("server/etcd-1"). */
  certs: ReadonlyMap<string, IssuedCert>;
}

export function renderSystemdNode(cluster: Cluster, node: Node, inputs: NodeInputs): NodeFile[] {
  const paths = ETCDGEN_PKI;
  const flags = memberFlags(cluster, node, { token: inputs.token, initialState: "new", paths });
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
    {
      path: PATHS.etcdctlEnv,
      mode: 0o600,
      owner: ROOT,
      content: renderEtcdctlEnv(cluster, { ca: paths.ca, cert: paths.serverCert, key: paths.serverKey }, `loaded by ${PATHS.profileSnippet} for root`),
    },
    { path: PATHS.profileSnippet, mode: 0o644, owner: ROOT, content: renderTemplate(PROFILE_SNIPPET, { envFile: PATHS.etcdctlEnv }, shellQuote) },
    { path: PATHS.bootstrap, mode: 0o755, owner: ROOT, content: renderBootstrap(cluster, node) },
  ];
  if (cluster.tls.enabled) {
    const cert = (id: string) => {
      const issued = inputs.certs.get(id);
      if (!issued) throw new Error(`certificate ${id} was not issued`);
      return issued;
    };
    const server = cert(`server/${node.name}`);
    const peer = cert(`peer/${node.name}`);
    files.push(
      { path: paths.ca, mode: 0o644, owner: ETCD_USER, content: cert("ca").certPem },
      { path: paths.serverCert, mode: 0o644, owner: ETCD_USER, content: server.certPem },
      { path: paths.serverKey, mode: 0o600, owner: ETCD_USER, content: server.keyPem },
      { path: paths.peerCert, mode: 0o644, owner: ETCD_USER, content: peer.certPem },
      { path: paths.peerKey, mode: 0o600, owner: ETCD_USER, content: peer.keyPem },
    );
  }
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
      package: install.method === "package" ? { packages: install.packages } : false,
      tarball: install.method === "tarball" ? { url: install.url, sha256: install.sha256 } : false,
      preinstalled: install.method === "preinstalled" ? { binary: install.binary } : false,
    },
    shellQuote,
  );
}
