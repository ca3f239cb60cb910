// The etcd flags of one member, computed once as data (name/value pairs in a stable order) and
// rendered by each mode into its own form: an environment file, a static pod's command.
import type { Cluster, Node } from "./cluster.js";
import { urlHost, type IpAddress } from "./net.js";

export interface Flag {
  /** Without the leading dashes: "initial-cluster". */
  name: string;
  value: string;
}

/** Where the member's certificates are on the node. */
export interface MemberPkiPaths {
  ca: string;
  serverCert: string;
  serverKey: string;
  peerCert: string;
  peerKey: string;
}

export interface MemberContext {
  token: string;
  paths: MemberPkiPaths;
}

const LOOPBACK_V4 = { text: "127.0.0.1", family: 4, kind: "loopback" } as const satisfies IpAddress;
const LOOPBACK_V6 = { text: "::1", family: 6, kind: "loopback" } as const satisfies IpAddress;

export function loopbackFor(node: Node): IpAddress {
  return node.ip.family === 6 ? LOOPBACK_V6 : LOOPBACK_V4;
}

export function scheme(cluster: Cluster): "https" | "http" {
  return cluster.tls.enabled ? "https" : "http";
}

/** A URL on one of the member's TLS (or, with TLS off, plain) ports. */
function memberUrl(cluster: Cluster, ip: IpAddress, port: number): string {
  return `${scheme(cluster)}://${urlHost(ip)}:${port}`;
}

export function clientUrl(cluster: Cluster, ip: IpAddress): string {
  return memberUrl(cluster, ip, cluster.ports.client);
}

export function peerUrl(cluster: Cluster, ip: IpAddress): string {
  return memberUrl(cluster, ip, cluster.ports.peer);
}

export function metricsUrl(cluster: Cluster, ip: IpAddress): string {
  return `http://${urlHost(ip)}:${cluster.ports.metrics}`;
}

/** Every member's client URL: what etcdctl and the API server are pointed at. */
export function clientEndpoints(cluster: Cluster): string[] {
  return cluster.nodes.map((n) => clientUrl(cluster, n.ip));
}

export function initialCluster(cluster: Cluster, members: readonly Node[]): string {
  return members.map((n) => `${n.name}=${peerUrl(cluster, n.ip)}`).join(",");
}

export function memberFlags(cluster: Cluster, node: Node, context: MemberContext): Flag[] {
  const loopback = loopbackFor(node);
  const httpPort = cluster.ports.clientHttp;
  // From etcd 3.5.8: HTTP (/health, /version, /metrics, the JSON gateway) on a port of its own,
  // on the same hosts as the client port, which then serves gRPC only.
  const httpListener: Flag[] =
    httpPort === undefined ? [] : [{ name: "listen-client-http-urls", value: distinct([loopback, node.ip].map((ip) => memberUrl(cluster, ip, httpPort))) }];
  const flags: Flag[] = [
    { name: "name", value: node.name },
    { name: "data-dir", value: cluster.dataDir },
    { name: "listen-peer-urls", value: peerUrl(cluster, node.ip) },
    { name: "listen-client-urls", value: distinct([clientUrl(cluster, loopback), clientUrl(cluster, node.ip)]) },
    ...httpListener,
    { name: "advertise-client-urls", value: clientUrl(cluster, node.ip) },
    { name: "initial-advertise-peer-urls", value: peerUrl(cluster, node.ip) },
    { name: "initial-cluster", value: initialCluster(cluster, cluster.nodes) },
    { name: "initial-cluster-token", value: context.token },
    { name: "initial-cluster-state", value: "new" },
    {
      name: "listen-metrics-urls",
      value: distinct((cluster.ports.metricsBind === "node" ? [loopback, node.ip] : [loopback]).map((ip) => metricsUrl(cluster, ip))),
    },
  ];
  if (cluster.tls.enabled) {
    const { paths } = context;
    flags.push({ name: "client-cert-auth", value: String(cluster.tls.clientCertAuth) });
    // etcd demands client certificates whenever it has a trusted CA file, whatever
    // client-cert-auth says: without client authentication there must be none.
    if (cluster.tls.clientCertAuth) flags.push({ name: "trusted-ca-file", value: paths.ca });
    flags.push(
      { name: "cert-file", value: paths.serverCert },
      { name: "key-file", value: paths.serverKey },
      { name: "peer-client-cert-auth", value: "true" },
      { name: "peer-trusted-ca-file", value: paths.ca },
      { name: "peer-cert-file", value: paths.peerCert },
      { name: "peer-key-file", value: paths.peerKey },
    );
  }
  // etcd 3.4 still logs with capnslog unless told otherwise; 3.5 made zap the default.
  if (cluster.etcdVersion.minor === 4) flags.push({ name: "logger", value: "zap" });
  if (cluster.mode === "kubeadm") flags.push(...kubeadmFlags(cluster));
  return flags;
}

/**
 * What kubeadm adds to every etcd it runs. etcd 3.6 turned the experimental booleans into feature
 * gates and dropped the experimental- prefix (kubernetes PR #132838 followed). kubeadm's
 * --snapshot-count=10000 is 3.6's default, and 3.6 logs the flag as deprecated: left out there.
 */
function kubeadmFlags(cluster: Cluster): Flag[] {
  const minor = cluster.etcdVersion.minor;
  const flags: Flag[] = minor >= 6 ? [] : [{ name: "snapshot-count", value: "10000" }];
  if (minor >= 6)
    flags.push({ name: "feature-gates", value: "InitialCorruptCheck=true" }, { name: "watch-progress-notify-interval", value: "5s" });
  else {
    flags.push({ name: "experimental-initial-corrupt-check", value: "true" });
    if (minor === 5) flags.push({ name: "experimental-watch-progress-notify-interval", value: "5s" });
  }
  return flags;
}

/** A member on a loopback address would otherwise list the same URL twice and fail to bind. */
function distinct(urls: string[]): string {
  return [...new Set(urls)].join(",");
}

/** `ETCD_INITIAL_CLUSTER`: the environment variable etcd reads for a flag. */
export function flagEnvName(flag: Flag): string {
  return `ETCD_${flag.name.toUpperCase().replace(/-/g, "_")}`;
}
