// Adopting an existing CA (`etcdgen import-ca`): the CA of a cluster built by hand, with cfssl or
// by kubeadm becomes the state folder's CA, so etcdgen issues leaves under it and the running
// members keep trusting them. Whatever its subject, validity or key algorithm, it only has to be
// a CA that can sign, with its private key, in a form WebCrypto reads.
import { createPrivateKey } from "node:crypto";
import { keysMatch, privateKeyFromPem } from "./keys.js";
import { fromPem, PEM_BLOCK, toPem } from "./pem.js";
import { cryptoEngine, readCertificate, type CertFacts } from "./x509.js";

export interface AdoptedCa {
  certPem: string;
  /** PKCS#8, whatever form the key came in (PKCS#1 "RSA PRIVATE KEY", SEC1 "EC PRIVATE KEY"). */
  keyPem: string;
  facts: CertFacts;
}

export type AdoptResult = { ok: true; ca: AdoptedCa } | { ok: false; problems: { file: "cert" | "key"; message: string; hint: string }[] };

export async function adoptCa(certText: string, keyText: string, crypto: Crypto, now: Date): Promise<AdoptResult> {
  const problems: { file: "cert" | "key"; message: string; hint: string }[] = [];
  const certBlocks = [...certText.matchAll(PEM_BLOCK)].map((m) => m[1]);
  if (certBlocks.length !== 1 || certBlocks[0] !== "CERTIFICATE")
    return fail("cert", `expected exactly one CERTIFICATE block, found ${certBlocks.length === 0 ? "none" : certBlocks.join(", ")}`, "give the CA's certificate alone (a bundle or chain must be split first)");
  const der = fromPem("CERTIFICATE", certText)!;
  const engine = cryptoEngine(crypto);
  let facts: CertFacts;
  let publicKey: CryptoKey;
  try {
    const read = await readCertificate(der, engine);
    facts = read.facts;
    publicKey = await read.cert.getPublicKey(undefined, engine);
  } catch (error) {
    return fail("cert", `not a readable X.509 certificate: ${(error as Error).message}`, "give the PEM certificate of the CA, e.g. /etc/kubernetes/pki/etcd/ca.crt");
  }
  if (!facts.isCa) problems.push({ file: "cert", message: `${describe(facts)} is not a CA (basicConstraints CA:TRUE is missing)`, hint: "give the certificate of the CA that signed the members' certificates" });
  if (facts.hasKeyUsage && !facts.keyUsages.includes("cert sign"))
    problems.push({ file: "cert", message: `${describe(facts)} may not sign certificates (its key usage lacks keyCertSign)`, hint: "a CA without keyCertSign cannot issue the members' certificates" });
  if (!facts.keyAlgorithm)
    problems.push({ file: "cert", message: `${describe(facts)} has a key etcdgen cannot sign with`, hint: "etcdgen signs with RSA (2048, 3072, 4096 bits) and ECDSA (P-256, P-384) keys" });
  if (facts.notAfter.getTime() <= now.getTime())
    problems.push({ file: "cert", message: `${describe(facts)} expired on ${facts.notAfter.toISOString()}`, hint: "an expired CA cannot be adopted; start a new CA with etcdgen build --new-ca" });

  // `openssl ecparam -genkey` without -noout puts the curve's parameters before the key.
  const keyBlocks = [...keyText.matchAll(PEM_BLOCK)].map((m) => m[1]).filter((label) => label !== "EC PARAMETERS");
  if (keyBlocks.length !== 1 || !/PRIVATE KEY$/.test(keyBlocks[0]!)) {
    problems.push({ file: "key", message: `expected exactly one private key block, found ${keyBlocks.length === 0 ? "none" : keyBlocks.join(", ")}`, hint: "give the CA's private key, e.g. /etc/kubernetes/pki/etcd/ca.key" });
    return { ok: false, problems };
  }
  if (keyBlocks[0] === "ENCRYPTED PRIVATE KEY" || /Proc-Type: 4,ENCRYPTED/.test(keyText)) {
    problems.push({ file: "key", message: "the private key is encrypted", hint: "decrypt it first (openssl pkey -in ca.key -out ca-plain.key), import that, then delete the plain copy" });
    return { ok: false, problems };
  }
  let keyPem: string;
  try {
    keyPem = createPrivateKey({ key: keyText, format: "pem" }).export({ type: "pkcs8", format: "pem" }).toString();
  } catch (error) {
    problems.push({ file: "key", message: `not a readable private key: ${(error as Error).message}`, hint: "give the PEM private key (PKCS#8, PKCS#1 or SEC1)" });
    return { ok: false, problems };
  }
  if (problems.length > 0 || !facts.keyAlgorithm) return { ok: false, problems };
  let matches = false;
  try {
    matches = await keysMatch(await privateKeyFromPem(keyPem, facts.keyAlgorithm, crypto), publicKey, crypto);
  } catch {
    matches = false;
  }
  if (!matches) return fail("key", `the private key is not the key of ${describe(facts)}`, "give the ca.key that belongs to this ca.crt");
  // Canonical forms: one block each, 64-column base64, as etcdgen writes its own.
  return { ok: true, ca: { certPem: toPem("CERTIFICATE", der), keyPem, facts } };

  function fail(file: "cert" | "key", message: string, hint: string): AdoptResult {
    return { ok: false, problems: [...problems, { file, message, hint }] };
  }
}

function describe(facts: CertFacts): string {
  return `the certificate "${facts.commonName || "(no common name)"}"`;
}
