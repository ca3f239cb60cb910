// What etcd logs above info level while a cluster etcdgen configured starts, and why each entry
// that may appear is harmless. Anything not listed here fails the end-to-end test that saw it: a
// new warning about etcdgen's configuration must be fixed, or explained here.
import type { E2eCluster, LogEntry } from "./cluster.js";

interface Explained {
  /** etcd minor versions it is seen on. */
  minors: string[];
  /** Matches the entry's message. */
  msg: RegExp;
  /** Further conditions on the entry and the cluster, when the message alone says too little. */
  when?: (entry: LogEntry, cluster: E2eCluster) => boolean;
  why: string;
}

/** The address part of "10.0.0.250:54958" or "[fd00::fa]:52400". */
function remoteHost(entry: LogEntry): string {
  return String(entry["remote-addr"] ?? "").replace(/:\d+$/, "").replace(/^\[(.*)\]$/, "$1");
}

export const EXPLAINED: Explained[] = [
  {
    minors: ["3.5"],
    msg: /^Running http and grpc server on single port\. This is not recommended for production\.$/,
    when: (_, cluster) => cluster.members.every((m) => m.member.flags["listen-client-http-urls"] === undefined),
    why:
      "etcdgen serves gRPC and HTTP on the client port by default, as etcd's own defaults and kubeadm do, so every client needs one URL. " +
      "etcd 3.5 logs this once per client URL. [ports] client_http (etcd 3.5.8 and later) gives HTTP a port of its own and the warning goes (options.test.ts).",
  },
  {
    minors: ["3.4", "3.5"],
    msg: /^simple token is not cryptographically signed$/,
    why:
      "etcd's default --auth-token is \"simple\", and etcd sets up the token provider at every start, whether or not etcd's user/password " +
      "authentication is enabled. etcdgen authenticates clients by certificate and never enables it, so no token is ever issued; a JWT " +
      "provider would need its own signing key on every node for a feature the cluster does not use (kubeadm leaves the default too).",
  },
  {
    minors: ["3.4"],
    msg: /^established TCP streaming connection with remote peer$/,
    why: "etcd 3.4 logs every raft stream to a peer that comes up at warn level; 3.5 logs the same event at info. It is the normal start-up.",
  },
  {
    minors: ["3.4", "3.5"],
    msg: /^rejected connection( on client endpoint)?$/,
    when: (entry, cluster) => remoteHost(entry) === cluster.workstationIp && /^EOF$|connection reset by peer$/.test(String(entry.error)),
    why:
      "the test's own etcdctl, on the workstation, hung up on a member during the TLS handshake: etcdctl dials every endpoint and exits " +
      "as soon as its command is done. etcd logs every handshake that does not complete.",
  },
];

/** "member: level msg {fields}" for every entry above info that EXPLAINED does not cover. */
export async function unexplainedWarnings(cluster: E2eCluster): Promise<string[]> {
  return (await cluster.warnings())
    .filter((e) => !EXPLAINED.some((x) => x.minors.includes(cluster.etcd.minor) && x.msg.test(e.msg) && (x.when?.(e, cluster) ?? true)))
    .map(({ member, level, msg, ts: _ts, caller: _caller, ...fields }) => `${member}: ${level} ${msg} ${JSON.stringify(fields)}`);
}
