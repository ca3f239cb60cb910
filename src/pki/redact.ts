// --redact: every PEM block becomes a stable one-line summary, so output can be golden-diffed and
// committed without secrets. The summary holds no serial and no dates, only what the spec decides;
// the CA's fingerprint, which does change with the CA, is in manifest.json, once.
import type { IssuedCert } from "./reconcile.js";
import { PEM_BLOCK } from "./pem.js";
import { validityDays } from "./x509.js";

export function summarizeCertificate(cert: IssuedCert): string {
  const f = cert.facts;
  const subject = [`CN=${f.commonName}`, ...f.organizations.map((o) => `O=${o}`)].join(",");
  const sans = [...f.dnsNames.map((d) => `DNS:${d}`), ...f.ipAddresses.map((ip) => `IP:${ip}`)];
  const usages = [...f.keyUsages, ...f.extKeyUsages];
  const days = validityDays(f);
  return [
    `certificate ${cert.spec.id}`,
    `subject ${subject}`,
    `issuer CN=${f.issuerCommonName}`,
    ...(sans.length > 0 ? [`SANs ${sans.join(", ")}`] : []),
    `usages ${usages.join(", ")}`,
    ...(f.isCa ? ["CA"] : []),
    `${f.keyAlgorithm ?? "unknown key"}`,
    `valid ${days} days`,
  ].join("; ");
}

export function summarizeKey(cert: IssuedCert): string {
  // The key's own algorithm: an adopted CA's may differ from the one the cluster file chooses.
  return `private key of ${cert.spec.id}; ${cert.facts.keyAlgorithm ?? cert.spec.keyAlgorithm}`;
}

/** Maps each certificate's and key's PEM text to its summary line. */
export function redactionTable(certs: readonly IssuedCert[]): Map<string, string> {
  const table = new Map<string, string>();
  for (const cert of certs) {
    table.set(cert.certPem.trim(), `[redacted ${summarizeCertificate(cert)}]`);
    table.set(cert.keyPem.trim(), `[redacted ${summarizeKey(cert)}]`);
  }
  return table;
}

/** Replaces every PEM block; one etcdgen did not issue is still removed. */
export function redactPem(text: string, table: ReadonlyMap<string, string>): string {
  return text.replace(PEM_BLOCK, (block, label: string) => {
    const summary = table.get(block.trim()) ?? `[redacted ${label.toLowerCase()}]`;
    return block.endsWith("\n") ? `${summary}\n` : summary;
  });
}
