// ClusterSpec -> Cluster: fills in defaults and runs every check that needs more than one field
// (duplicates, collisions, combinations). All problems are collected, none thrown.
import { byText } from "../order.js";
import { diagnostic, hasErrors, type Diagnostic, type DocPath } from "../diag/diagnostic.js";
import type { ClusterSpec, ClientSpec, NodeSpec } from "../spec/types.js";
import {
  etcdAtLeast,
  BUILTIN_CLIENTS,
  DEFAULTS,
  KUBEADM_LAYOUT_CLIENTS,
  KNOWN_CLIENT_CNS,
  RESERVED_CLIENT_NAMES,
  RESERVED_NODE_NAMES,
  type Client,
  type Cluster,
  type EtcdVersion,
  type Install,
  type KubeadmSettings,
  type Node,
  type TlsSettings,
} from "./cluster.js";
import {
  hostnameProblem,
  isDnsSan,
  isHostname,
  isSafeAbsolutePath,
  isSimpleName,
  parseIp,
  type IpAddress,
} from "./net.js";

export type NormalizeResult = { cluster: Cluster | undefined; diagnostics: Diagnostic[] };

export function normalizeCluster(spec: ClusterSpec): NormalizeResult {
  const problems: Diagnostic[] = [];
  const report = (d: Diagnostic) => problems.push(d);

  const c = spec.cluster;
  if (!isHostname(c.name))
    report(
      diagnostic("E_NAME_INVALID", ["cluster", "name"], `cluster name "${c.name}" is not usable as a name`, hostnameProblem(c.name)),
    );
  const etcdVersion = checkVersion(c.etcd_version, report);
  const dataDir = c.data_dir ?? DEFAULTS.dataDir;
  if (!isSafeAbsolutePath(dataDir))
    report(
      diagnostic(
        "E_PATH_NOT_ABSOLUTE",
        ["cluster", "data_dir"],
        `data_dir "${dataDir}" is not a plain absolute path`,
        'use an absolute path of letters, digits and "._-+@/", e.g. "/var/lib/etcd"',
      ),
    );
  if (c.token !== undefined && !/^[A-Za-z0-9._-]{1,128}$/.test(c.token))
    report(
      diagnostic(
        "E_TOKEN_INVALID",
        ["cluster", "token"],
        "the initial cluster token may only contain letters, digits, '.', '_' and '-' (1-128 characters)",
        "remove token to have one generated and kept in the state folder",
      ),
    );

  const mode = c.mode ?? DEFAULTS.mode;
  const ports = checkPorts(spec.ports, mode, etcdVersion, report);
  const tls = checkTls(spec, report);
  const install = checkInstall(spec.install, report);
  const kubeadm = checkKubeadm(spec, etcdVersion, tls, report);
  const nodes = checkNodes(spec.nodes, report);
  const clients = checkClients(spec.clients ?? [], tls, report);
  checkSanCollisions(spec.tls?.extra_sans ?? [], nodes, report);

  const cluster: Cluster = {
    name: c.name,
    etcdVersion: etcdVersion ?? { major: 0, minor: 0, patch: 0, text: c.etcd_version },
    mode,
    dataDir,
    token: c.token,
    ports,
    tls,
    install,
    kubeadm,
    nodes,
    clients,
  };
  return { cluster: hasErrors(problems) ? undefined : cluster, diagnostics: problems };
}

type Report = (d: Diagnostic) => void;

function checkVersion(text: string, report: Report): EtcdVersion | undefined {
  const path = ["cluster", "etcd_version"];
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (!m) {
    report(diagnostic("E_ETCD_VERSION_INVALID", path, `etcd_version "${text}" is not a version`, 'write MAJOR.MINOR.PATCH, e.g. "3.5.17"'));
    return undefined;
  }
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const version = { major, minor, patch, text: `${major}.${minor}.${patch}` };
  if (major !== 3 || minor < 4)
    report(
      diagnostic("E_ETCD_VERSION_UNSUPPORTED", path, `etcd ${version.text} is not supported`, "etcdgen renders configuration for etcd 3.4, 3.5 and 3.6"),
    );
  else if (minor > 6)
    report(
      diagnostic(
        "W_ETCD_VERSION_UNTESTED",
        path,
        `etcd ${version.text} is newer than the versions etcdgen knows (3.4-3.6); flags are rendered as for 3.6`,
        "check etcd's changelog for removed flags",
      ),
    );
  return version;
}

/** etcd serves HTTP on a listener of its own (--listen-client-http-urls) from 3.5.8 on. */
const CLIENT_HTTP_SINCE = { minor: 5, patch: 8 };

function checkPorts(
  spec: ClusterSpec["ports"],
  mode: Cluster["mode"],
  etcdVersion: EtcdVersion | undefined,
  report: Report,
): Cluster["ports"] {
  const ports = {
    client: spec?.client ?? DEFAULTS.ports.client,
    peer: spec?.peer ?? DEFAULTS.ports.peer,
    metrics: spec?.metrics ?? DEFAULTS.ports.metrics,
    // kubeadm keeps metrics (and the probes) on loopback.
    metricsBind: spec?.metrics_bind ?? (mode === "kubeadm" ? "loopback" : DEFAULTS.metricsBind),
    // Optional, and absent unless set: HTTP then shares the client port, as kubeadm has it.
    ...(spec?.client_http !== undefined ? { clientHttp: spec.client_http } : {}),
  };
  const seen = new Map<number, string>();
  const checked = [
    ["client", ports.client],
    ["peer", ports.peer],
    ["metrics", ports.metrics],
    ["client_http", ports.clientHttp],
  ] as const;
  for (const [role, port] of checked) {
    if (port === undefined) continue;
    if (port < 1 || port > 65535) {
      const hint = role === "client_http" ? "any free port, e.g. 2382" : `the default ${role} port is ${DEFAULTS.ports[role]}`;
      report(diagnostic("E_PORT_RANGE", ["ports", role], `port ${port} is outside 1-65535`, hint));
      continue;
    }
    const other = seen.get(port);
    if (other)
      report(
        diagnostic("E_PORT_COLLISION", ["ports", role], `the ${role} port ${port} is also the ${other} port`, "give every port in [ports] its own number", [
          { path: ["ports", other], message: `${other} port set here` },
        ]),
      );
    seen.set(port, role);
  }
  const { minor, patch } = CLIENT_HTTP_SINCE;
  if (ports.clientHttp !== undefined && etcdVersion && etcdVersion.major === 3 && !etcdAtLeast(etcdVersion, minor, patch))
    report(
      diagnostic(
        "E_PORT_CLIENT_HTTP_UNSUPPORTED",
        ["ports", "client_http"],
        `etcd ${etcdVersion.text} cannot serve HTTP on a port of its own (--listen-client-http-urls came with etcd 3.${minor}.${patch})`,
        `remove client_http (HTTP then shares the client port), or use etcd 3.${minor}.${patch} or later`,
      ),
    );
  return ports;
}

function checkTls(spec: ClusterSpec, report: Report): TlsSettings {
  const t = spec.tls ?? {};
  const enabled = t.enabled ?? true;
  const clientCertAuth = enabled && (t.client_cert_auth ?? true);
  const optIn = t.allow_insecure === true;
  if (!enabled) {
    if (optIn)
      report(diagnostic("W_TLS_OFF", ["tls", "enabled"], "TLS is off: clients and peers talk in plain text and anyone on the network can read and write the cluster"));
    else
      report(
        diagnostic(
          "E_TLS_OFF_WITHOUT_OPT_IN",
          ["tls", "enabled"],
          "turning TLS off exposes every key in etcd to the network",
          "remove enabled = false, or add allow_insecure = true to [tls] if this cluster really must run without TLS",
        ),
      );
  } else if (t.client_cert_auth === false) {
    if (optIn)
      report(diagnostic("W_CLIENT_AUTH_OFF", ["tls", "client_cert_auth"], "client-certificate authentication is off: any client that reaches the client port can read and write the cluster"));
    else
      report(
        diagnostic(
          "E_CLIENT_AUTH_OFF_WITHOUT_OPT_IN",
          ["tls", "client_cert_auth"],
          "without client-certificate authentication any client that reaches the port can read and write the cluster",
          "remove client_cert_auth = false, or add allow_insecure = true to [tls] to accept that",
        ),
      );
  }
  const caValidityDays = t.ca_validity_days ?? DEFAULTS.caValidityDays;
  const certValidityDays = t.cert_validity_days ?? DEFAULTS.certValidityDays;
  checkDays(["tls", "ca_validity_days"], caValidityDays, 36500, report);
  checkDays(["tls", "cert_validity_days"], certValidityDays, 3650, report);
  if (certValidityDays > caValidityDays)
    report(
      diagnostic(
        "E_VALIDITY_CA_SHORTER",
        ["tls", "cert_validity_days"],
        `certificates would outlive their CA (${certValidityDays} days > ca_validity_days ${caValidityDays})`,
        "make cert_validity_days at most ca_validity_days",
      ),
    );

  const extraSans = { dns: [] as string[], ips: [] as IpAddress[] };
  (t.extra_sans ?? []).forEach((san, i) => {
    const path = ["tls", "extra_sans", i];
    const ip = parseIp(san);
    if (ip) extraSans.ips.push(ip);
    else if (isDnsSan(san)) extraSans.dns.push(san);
    else report(diagnostic("E_SAN_INVALID", path, `"${san}" is neither an IP address nor a DNS name`, hostnameProblem(san.replace(/^\*\./, ""))));
  });
  const mode = spec.cluster.mode ?? DEFAULTS.mode;
  const pkiLayout = t.pki_layout ?? (mode === "kubeadm" ? "kubeadm" : "etcdgen");
  if (mode === "kubeadm" && pkiLayout !== "kubeadm")
    report(diagnostic("E_LAYOUT_MODE_MISMATCH", ["tls", "pki_layout"], 'kubeadm mode needs kubeadm\'s certificate layout', 'remove pki_layout, or set it to "kubeadm"'));
  return { enabled, keyAlgorithm: t.key_algorithm ?? DEFAULTS.keyAlgorithm, caValidityDays, certValidityDays, extraSans, clientCertAuth, pkiLayout };
}

function checkDays(path: DocPath, days: number, max: number, report: Report): void {
  if (days < 1 || days > max) report(diagnostic("E_VALIDITY_RANGE", path, `${days} days is outside 1-${max}`, "kubeadm uses 365 for certificates and 3650 for the CA"));
}

function checkInstall(spec: ClusterSpec["install"], report: Report): Install {
  const s = spec ?? {};
  const method = s.method ?? DEFAULTS.installMethod;
  const usedBy: Record<string, string> = { binary: "preinstalled", packages: "package", url: "tarball", sha256: "tarball" };
  for (const key of ["binary", "packages", "url", "sha256"] as const) {
    if (s[key] !== undefined && usedBy[key] !== method)
      report(
        diagnostic(
          "E_INSTALL_KEY_FOR_OTHER_METHOD",
          ["install", key],
          `install.${key} is only used with method = "${usedBy[key]}", but method is "${method}"`,
          `remove ${key}, or set method = "${usedBy[key]}"`,
        ),
      );
  }
  switch (method) {
    case "preinstalled": {
      const binary = s.binary ?? DEFAULTS.preinstalledBinary;
      if (!isSafeAbsolutePath(binary))
        report(diagnostic("E_PATH_NOT_ABSOLUTE", ["install", "binary"], `binary "${binary}" is not a plain absolute path`, 'e.g. "/usr/bin/etcd"'));
      return { method, binary };
    }
    case "package": {
      const packages = s.packages ?? DEFAULTS.packages;
      packages.forEach((pkg, i) => {
        if (!/^[a-z0-9][a-z0-9+.-]+(?:=[A-Za-z0-9.+~:-]+)?$/.test(pkg))
          report(
            diagnostic("E_PACKAGE_NAME_INVALID", ["install", "packages", i], `"${pkg}" is not a package name`, 'Debian and Ubuntu call them "etcd-server" and "etcd-client"; pin a version with "etcd-server=3.4.23-4+b6"'),
          );
      });
      if (packages.length === 0)
        report(diagnostic("E_PACKAGE_NAME_INVALID", ["install", "packages"], "packages is empty", 'list the packages, e.g. ["etcd-server", "etcd-client"]'));
      return { method, packages, binary: DEFAULTS.packageBinary };
    }
    case "tarball": {
      const url = s.url ?? "";
      const sha256 = (s.sha256 ?? "").toLowerCase();
      if (s.url === undefined)
        report(
          diagnostic("E_INSTALL_URL_MISSING", ["install"], 'method = "tarball" needs url', "add url = the release tarball, e.g. https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz"),
        );
      else if (!isHttpUrl(url))
        report(diagnostic("E_INSTALL_URL_INVALID", ["install", "url"], `"${url}" is not an http(s) URL`, "write the full URL of the .tar.gz, starting with https://"));
      if (s.sha256 === undefined)
        report(
          diagnostic(
            "E_INSTALL_SHA256_MISSING",
            ["install"],
            'method = "tarball" needs sha256: etcdgen never emits an unverified download',
            "add sha256 = the tarball's SHA-256 (sha256sum etcd-*.tar.gz, or the release's SHA256SUMS)",
          ),
        );
      else if (!/^[0-9a-f]{64}$/.test(sha256))
        report(diagnostic("E_INSTALL_SHA256_INVALID", ["install", "sha256"], "sha256 must be 64 hexadecimal digits", "copy it from sha256sum or the release's SHA256SUMS"));
      return { method, url, sha256, binary: DEFAULTS.tarballBinary };
    }
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "https:" || u.protocol === "http:") && u.hostname !== "" && !/["'\\\s$`]/.test(text);
  } catch {
    return false;
  }
}

function checkNodes(specs: NodeSpec[], report: Report): Node[] {
  if (specs.length === 0) {
    report(diagnostic("E_NODES_EMPTY", ["nodes"], "the cluster has no nodes", "add at least one [[nodes]] table with name and ip"));
    return [];
  }
  const names = new Map<string, number>();
  const ips = new Map<string, number>();
  const dnsOwners = new Map<string, { node: number; path: DocPath }>();
  const nodes: Node[] = [];
  specs.forEach((spec, i) => {
    const namePath = ["nodes", i, "name"];
    if (!isHostname(spec.name))
      report(
        diagnostic(
          "E_NAME_INVALID",
          namePath,
          `node name "${spec.name}" cannot be used as a hostname, file name and member name`,
          hostnameProblem(spec.name),
        ),
      );
    if (RESERVED_NODE_NAMES.includes(spec.name))
      report(diagnostic("E_NODE_NAME_RESERVED", namePath, `"${spec.name}" is the name of a folder etcdgen writes beside the nodes' folders`, "choose another node name"));
    const first = names.get(spec.name);
    if (first !== undefined)
      report(
        diagnostic("E_NODE_NAME_DUPLICATE", namePath, `node name "${spec.name}" is used twice`, "every node needs its own name", [
          { path: ["nodes", first, "name"], message: "first used here" },
        ]),
      );
    else names.set(spec.name, i);

    const ip = parseIp(spec.ip);
    const ipPath = ["nodes", i, "ip"];
    if (!ip) {
      report(diagnostic("E_NODE_IP_INVALID", ipPath, `"${spec.ip}" is not an IPv4 or IPv6 address`, 'write one address without port or prefix, e.g. "10.0.0.11" or "fd00::11"'));
    } else {
      if (ip.kind === "unspecified" || ip.kind === "multicast" || ip.kind === "link-local")
        report(
          diagnostic("E_NODE_IP_UNUSABLE", ipPath, `${ip.text} is a ${ip.kind} address; a member cannot advertise it`, "use the address other members reach this node on"),
        );
      if (ip.kind === "loopback" && specs.length > 1)
        report(
          diagnostic("W_NODE_IP_LOOPBACK", ipPath, `${ip.text} is a loopback address; members on other hosts cannot reach it`, "use the node's network address"),
        );
      const firstIp = ips.get(ip.text);
      if (firstIp !== undefined)
        report(
          diagnostic("E_NODE_IP_DUPLICATE", ipPath, `address ${ip.text} is used by two nodes`, "every member needs its own address", [
            { path: ["nodes", firstIp, "ip"], message: "first used here" },
          ]),
        );
      else ips.set(ip.text, i);
    }

    const dns: string[] = [];
    const claim = (name: string, path: DocPath) => {
      const owner = dnsOwners.get(name);
      if (owner && owner.node !== i)
        report(
          diagnostic("E_DNS_NAME_DUPLICATE", path, `DNS name "${name}" belongs to two nodes`, "a DNS name in a certificate must point at one member", [
            { path: owner.path, message: "also claimed here" },
          ]),
        );
      else if (!owner) dnsOwners.set(name, { node: i, path });
    };
    if (isHostname(spec.name) && first === undefined) claim(spec.name, namePath);
    (spec.dns ?? []).forEach((name, j) => {
      const path = ["nodes", i, "dns", j];
      if (!isHostname(name)) {
        report(diagnostic("E_DNS_NAME_INVALID", path, `"${name}" is not a DNS name`, hostnameProblem(name)));
        return;
      }
      if (dns.includes(name) || name === spec.name) {
        const why = name === spec.name ? "is the node's name, which its certificates carry anyway" : `is listed twice for node ${spec.name}`;
        report(diagnostic("W_SAN_DUPLICATE", path, `"${name}" ${why}`, "remove the repeated name"));
        return;
      }
      claim(name, path);
      dns.push(name);
    });
    nodes.push({ name: spec.name, ip: ip ?? { text: spec.ip, family: 4, kind: "unicast" }, dns });
  });

  const n = specs.length;
  if (n % 2 === 0)
    report(
      diagnostic(
        "W_QUORUM_EVEN",
        ["nodes"],
        `${n} members need ${n / 2 + 1} for quorum, so they survive no more failures than ${n - 1} would`,
        `use ${n - 1} or ${n + 1} members`,
      ),
    );
  else if (n > 7)
    report(diagnostic("W_QUORUM_LARGE", ["nodes"], `${n} members slow every write down; etcd recommends at most 7`, "use 3, 5 or 7 members"));
  return nodes;
}

function checkClients(specs: ClientSpec[], tls: TlsSettings, report: Report): Client[] {
  if (!tls.enabled && specs.length > 0)
    report(
      diagnostic("E_TLS_OFF_WITH_CLIENTS", ["clients"], "client certificates are listed but TLS is off", "remove the [[clients]] tables, or turn TLS on"),
    );
  const seen = new Map<string, number>();
  const clients: Client[] = [];
  specs.forEach((spec, i) => {
    const path = ["clients", i, "name"];
    if (!isSimpleName(spec.name))
      report(diagnostic("E_NAME_INVALID", path, `client name "${spec.name}" cannot be used as a file name`, "use lowercase letters, digits and '-', e.g. \"prometheus\""));
    if (RESERVED_CLIENT_NAMES.includes(spec.name))
      report(diagnostic("E_CLIENT_NAME_RESERVED", path, `"${spec.name}" is the name of a certificate etcdgen always issues`, "choose another name"));
    const first = seen.get(spec.name);
    if (first !== undefined)
      report(
        diagnostic("E_CLIENT_NAME_DUPLICATE", path, `client "${spec.name}" is listed twice`, "merge the two [[clients]] tables", [
          { path: ["clients", first, "name"], message: "first listed here" },
        ]),
      );
    if (first === undefined) seen.set(spec.name, i);
    const commonName = spec.cn ?? KNOWN_CLIENT_CNS[spec.name] ?? spec.name;
    checkSubjectText(commonName, ["clients", i, "cn"], report);
    (spec.o ?? []).forEach((o, j) => checkSubjectText(o, ["clients", i, "o", j], report));
    clients.push({ name: spec.name, commonName, organizations: spec.o ?? [], index: i });
  });
  const builtins = tls.pkiLayout === "kubeadm" ? [...BUILTIN_CLIENTS, ...KUBEADM_LAYOUT_CLIENTS] : BUILTIN_CLIENTS;
  for (const builtin of builtins) if (!seen.has(builtin.name)) clients.push(builtin);
  return clients.sort(byText((c) => c.name));
}

function checkKubeadm(spec: ClusterSpec, etcdVersion: EtcdVersion | undefined, tls: TlsSettings, report: Report): KubeadmSettings | undefined {
  const mode = spec.cluster.mode ?? DEFAULTS.mode;
  const k = spec.kubeadm;
  if (mode !== "kubeadm") {
    if (k !== undefined)
      report(diagnostic("E_KUBEADM_WITHOUT_MODE", ["kubeadm"], "[kubeadm] applies only to kubeadm mode", 'set mode = "kubeadm" in [cluster], or remove the [kubeadm] table'));
    return undefined;
  }
  if (spec.install !== undefined)
    report(
      diagnostic(
        "E_INSTALL_IN_KUBEADM_MODE",
        ["install"],
        "in kubeadm mode etcd runs from its container image; [install] does not apply",
        "remove [install]; [kubeadm] says how kubelet and containerd are installed and which etcd image runs",
      ),
    );
  if (!tls.enabled)
    report(diagnostic("E_KUBEADM_NEEDS_TLS", ["tls", "enabled"], "kubeadm mode always runs etcd with TLS", 'remove enabled = false, or use mode = "systemd"'));
  const install = k?.install ?? DEFAULTS.kubeadmInstall;
  const kubernetesVersion = k?.kubernetes_version;
  if (kubernetesVersion === undefined && install === "pkgs.k8s.io")
    report(
      diagnostic(
        "E_KUBERNETES_VERSION_MISSING",
        spec.kubeadm ? ["kubeadm"] : ["cluster", "mode"],
        'installing kubelet from pkgs.k8s.io needs the Kubernetes version to pin',
        'add kubernetes_version = "1.34.1" to [kubeadm], or install = "preinstalled" if the image has kubelet',
      ),
    );
  else if (kubernetesVersion !== undefined && !/^1\.\d+\.\d+$/.test(kubernetesVersion))
    report(diagnostic("E_KUBERNETES_VERSION_INVALID", ["kubeadm", "kubernetes_version"], `"${kubernetesVersion}" is not a Kubernetes version`, 'write MAJOR.MINOR.PATCH, e.g. "1.34.1"'));
  const imageRepository = k?.image_repository ?? DEFAULTS.imageRepository;
  if (!/^[a-z0-9.-]+(?::\d+)?(?:\/[a-z0-9._-]+)*$/.test(imageRepository))
    report(diagnostic("E_IMAGE_INVALID", ["kubeadm", "image_repository"], `"${imageRepository}" is not an image repository`, 'e.g. "registry.k8s.io" or "registry.example.org:5000/mirror"'));
  const imageTag = k?.image_tag ?? `${etcdVersion?.text ?? "0.0.0"}-0`;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag))
    report(diagnostic("E_IMAGE_INVALID", ["kubeadm", "image_tag"], `"${imageTag}" is not an image tag`, 'e.g. "3.5.17-0"'));
  const configApi = checkConfigApi(k, kubernetesVersion, tls, report);
  return {
    configApi,
    kubernetesVersion,
    install,
    imageRepository,
    imageTag,
    caKeyOnNodes: k?.ca_key_on_nodes ?? false,
  };
}

/** kubeadm reads v1beta4 from 1.31 on; before, v1beta3, which cannot record every setting. */
const V1BETA4_SINCE_MINOR = 31;
/** kubeadm 1.36 removed v1beta3 (kubernetes PR #136016). */
const V1BETA3_UNTIL_MINOR = 35;

function checkConfigApi(k: ClusterSpec["kubeadm"], kubernetesVersion: string | undefined, tls: TlsSettings, report: Report): KubeadmSettings["configApi"] {
  const minor = kubernetesVersion && /^1\.\d+\.\d+$/.test(kubernetesVersion) ? Number(kubernetesVersion.split(".")[1]) : undefined;
  const configApi = k?.config_api ?? (minor !== undefined && minor < V1BETA4_SINCE_MINOR ? "v1beta3" : DEFAULTS.kubeadmConfigApi);
  if (configApi === "v1beta4" && minor !== undefined && minor < V1BETA4_SINCE_MINOR)
    report(
      diagnostic(
        "E_KUBEADM_CONFIG_API_TOO_NEW",
        ["kubeadm", "config_api"],
        `kubeadm ${kubernetesVersion} does not read v1beta4 configuration (kubeadm 1.${V1BETA4_SINCE_MINOR} and later do)`,
        'remove config_api (it follows kubernetes_version), or set it to "v1beta3"',
      ),
    );
  if (configApi === "v1beta3" && minor !== undefined && minor > V1BETA3_UNTIL_MINOR)
    report(
      diagnostic(
        "E_KUBEADM_CONFIG_API_TOO_OLD",
        ["kubeadm", "config_api"],
        `kubeadm ${kubernetesVersion} no longer reads v1beta3 configuration (kubeadm 1.${V1BETA3_UNTIL_MINOR + 1} removed it)`,
        'remove config_api (it follows kubernetes_version), or set it to "v1beta4"',
      ),
    );
  if (configApi !== "v1beta3") return configApi;
  // What v1beta3 can say: kubeadm's RSA-2048 default, or ECDSA P-256 through its PublicKeysECDSA
  // feature gate; validity is always kubeadm's own. Anything else needs v1beta4's fields.
  const needsV1beta4 = (path: DocPath, what: string) =>
    report(
      diagnostic(
        "E_KUBEADM_NEEDS_V1BETA4",
        path,
        `${what} cannot be written into a v1beta3 kubeadm configuration, so kubeadm would renew these certificates differently`,
        'remove the setting, or use config_api = "v1beta4", which needs kubernetes_version 1.31 or later',
      ),
    );
  if (tls.keyAlgorithm !== "rsa-2048" && tls.keyAlgorithm !== "ecdsa-p256") needsV1beta4(["tls", "key_algorithm"], `key_algorithm "${tls.keyAlgorithm}"`);
  if (tls.certValidityDays !== DEFAULTS.certValidityDays) needsV1beta4(["tls", "cert_validity_days"], `cert_validity_days = ${tls.certValidityDays}`);
  if (tls.caValidityDays !== DEFAULTS.caValidityDays) needsV1beta4(["tls", "ca_validity_days"], `ca_validity_days = ${tls.caValidityDays}`);
  return configApi;
}

function checkSubjectText(text: string, path: DocPath, report: Report): void {
  if (text.length === 0 || text.length > 64 || /[\u0000-\u001f\u007f]/.test(text))
    report(diagnostic("E_SUBJECT_INVALID", path, "subject names must be 1-64 printable characters", "shorten the name or remove control characters"));
}

function checkSanCollisions(extraSans: string[], nodes: Node[], report: Report): void {
  extraSans.forEach((name, i) => {
    const owner = nodes.find((n) => n.name === name || n.dns.includes(name) || n.ip.text === parseIp(name)?.text);
    if (owner)
      report(
        diagnostic(
          "E_SAN_BELONGS_TO_NODE",
          ["tls", "extra_sans", i],
          `"${name}" belongs to node ${owner.name}; as an extra SAN it would be on every member's certificate`,
          "remove it from extra_sans; the node's own certificates already carry it",
        ),
      );
  });
}
