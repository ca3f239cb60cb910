// Cluster -> the list of certificates it needs, as data. Nothing is generated here.
import type { DocPath } from "../diag/diagnostic.js";
import type { Cluster, Node } from "../model/cluster.js";
import { KNOWN_CLIENT_CNS } from "../model/cluster.js";
import type { IpAddress } from "../model/net.js";
import { parseIp } from "../model/net.js";
import type { KeyAlgorithm } from "../spec/types.js";
import { ALGORITHMS } from "./algorithms.js";
import { keyUsagesFor, PROFILES, type ExtKeyUsage, type KeyUsage, type Role } from "./profiles.js";

export interface CertSpec {
  /** Where it lives in the state folder, without extension: "ca", "server/etcd-1", "client/admin". */
  id: string;
  role: Role;
  /** The id of the signing certificate; the CA signs itself. */
  issuer: string;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: IpAddress[];
  isCa: boolean;
  keyUsages: KeyUsage[];
  extKeyUsages: ExtKeyUsage[];
  keyAlgorithm: KeyAlgorithm;
  validityDays: number;
  /** The part of the cluster file this certificate comes from, for diagnostics. */
  source: DocPath;
  /** The SANs that come from [tls] extra_sans (text form), shared by every member certificate. */
  sharedSans: string[];
}

export const CA_ID = "ca";
export const HEALTHCHECK_CLIENT = "healthcheck-client";

const LOOPBACK_IPS = [parseIp("127.0.0.1")!, parseIp("::1")!];

export function planCerts(cluster: Cluster): CertSpec[] {
  if (!cluster.tls.enabled) return [];
  const { keyAlgorithm } = cluster.tls;
  const rsa = ALGORITHMS[keyAlgorithm].rsa;
  const make = (
    role: Role,
    fields: Pick<CertSpec, "id" | "commonName" | "organizations" | "dnsNames" | "ipAddresses" | "source"> & Partial<Pick<CertSpec, "sharedSans">>,
  ): CertSpec => ({
    sharedSans: [],
    ...fields,
    role,
    issuer: CA_ID,
    isCa: PROFILES[role].isCa,
    keyUsages: keyUsagesFor(PROFILES[role], rsa),
    extKeyUsages: [...PROFILES[role].extKeyUsages],
    keyAlgorithm,
    validityDays: role === "ca" ? cluster.tls.caValidityDays : cluster.tls.certValidityDays,
  });

  const ca = make("ca", { id: CA_ID, commonName: "etcd-ca", organizations: [], dnsNames: ["etcd-ca"], ipAddresses: [], source: ["tls"] });
  const members = cluster.nodes.flatMap((node, i) =>
    (["server", "peer"] as const).map((role) =>
      make(role, { id: `${role}/${node.name}`, commonName: node.name, organizations: [], ...memberSans(node, cluster), source: ["nodes", i] }),
    ),
  );
  // kubeadm's layout places a health-check client on every node; the etcdgen layout has no use for it.
  const healthcheck =
    cluster.tls.pkiLayout === "kubeadm"
      ? [
          make("client", {
            id: `client/${HEALTHCHECK_CLIENT}`,
            commonName: KNOWN_CLIENT_CNS[HEALTHCHECK_CLIENT]!,
            organizations: [],
            dnsNames: [],
            ipAddresses: [],
            source: ["tls", "pki_layout"],
          }),
        ]
      : [];
  const clients = cluster.clients.map((client) =>
    make("client", {
      id: `client/${client.name}`,
      commonName: client.commonName,
      organizations: [...client.organizations],
      dnsNames: [],
      ipAddresses: [],
      source: client.index === undefined ? [] : ["clients", client.index],
    }),
  );
  return [ca, ...members, ...healthcheck, ...clients];
}

/** kubeadm's defaults (node name, localhost, the advertise address, 127.0.0.1, ::1) plus ours. */
function memberSans(node: Node, cluster: Cluster): Pick<CertSpec, "dnsNames" | "ipAddresses" | "sharedSans"> {
  const { extraSans } = cluster.tls;
  const dnsNames = unique([node.name, ...node.dns, "localhost", ...extraSans.dns]);
  const ips = [node.ip, ...LOOPBACK_IPS, ...extraSans.ips];
  const ipAddresses = ips.filter((ip, i) => ips.findIndex((other) => other.text === ip.text) === i);
  return { dnsNames, ipAddresses, sharedSans: [...extraSans.dns, ...extraSans.ips.map((ip) => ip.text)] };
}

function unique(items: string[]): string[] {
  return [...new Set(items)];
}
