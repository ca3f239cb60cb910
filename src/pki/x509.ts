// X.509 v3 certificates with pkijs on WebCrypto: issuing from a CertSpec, and reading the facts
// back out of a certificate. The words of profiles.ts map to X.509 constants here and only here.
import * as asn1js from "asn1js";
import { createHash } from "node:crypto";
import * as pkijs from "pkijs";
import { ipToBytes } from "../model/net.js";
import type { KeyAlgorithm } from "../spec/types.js";
import { ALGORITHMS, algorithmOfJwk } from "./algorithms.js";
import type { CertSpec } from "./plan.js";
import type { ExtKeyUsage, KeyUsage } from "./profiles.js";

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
} as const;

/** Bit numbers of KeyUsage (RFC 5280 4.2.1.3). */
const KEY_USAGE_BITS: Readonly<Record<KeyUsage, number>> = {
  "digital signature": 0,
  "key encipherment": 2,
  "cert sign": 5,
};

const EXT_KEY_USAGE_OIDS: Readonly<Record<ExtKeyUsage, string>> = {
  "server auth": "1.3.6.1.5.5.7.3.1",
  "client auth": "1.3.6.1.5.5.7.3.2",
};

const GENERAL_NAME_DNS = 2;
const GENERAL_NAME_IP = 7;

export function cryptoEngine(crypto: Crypto): pkijs.CryptoEngine {
  return new pkijs.CryptoEngine({ name: "etcdgen", crypto });
}

export interface IssueRequest {
  spec: CertSpec;
  serial: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: CryptoKey;
  /** The issuer's certificate; undefined for a self-signed CA. */
  issuer: pkijs.Certificate | undefined;
  issuerPrivateKey: CryptoKey;
  /** Decides the signature's hash: the issuer's key signs. */
  issuerKeyAlgorithm: KeyAlgorithm;
}

export async function issueCertificate(request: IssueRequest, engine: pkijs.CryptoEngine): Promise<pkijs.Certificate> {
  const { spec } = request;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: request.serial });
  cert.subject = distinguishedName(spec.commonName, spec.organizations);
  cert.issuer = request.issuer ? request.issuer.subject : distinguishedName(spec.commonName, spec.organizations);
  cert.notBefore = x509Time(request.notBefore);
  cert.notAfter = x509Time(request.notAfter);
  await cert.subjectPublicKeyInfo.importKey(request.subjectPublicKey, engine);

  const subjectKeyId = await keyIdentifier(cert, engine);
  // The issuer's own subject key identifier, whatever method made it (an adopted CA may not use
  // ours): path building matches the two.
  const authorityKeyId = request.issuer ? await subjectKeyIdOf(request.issuer, engine) : subjectKeyId;
  const extensions = [
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints(spec.isCa ? { cA: true, pathLenConstraint: 0 } : {}).toSchema()),
    extension(OID.keyUsage, true, keyUsageBits(spec.keyUsages)),
  ];
  if (spec.extKeyUsages.length > 0)
    extensions.push(
      extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: spec.extKeyUsages.map((u) => EXT_KEY_USAGE_OIDS[u]) }).toSchema()),
    );
  const altNames = [
    ...spec.dnsNames.map((value) => new pkijs.GeneralName({ type: GENERAL_NAME_DNS, value })),
    ...spec.ipAddresses.map(
      (ip) => new pkijs.GeneralName({ type: GENERAL_NAME_IP, value: new asn1js.OctetString({ valueHex: ipToBytes(ip) }) }),
    ),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, new pkijs.AltName({ altNames }).toSchema()));
  extensions.push(extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: subjectKeyId })));
  extensions.push(
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: authorityKeyId }) }).toSchema(),
    ),
  );
  cert.extensions = extensions;
  await cert.sign(request.issuerPrivateKey, ALGORITHMS[request.issuerKeyAlgorithm].hash, engine);
  return cert;
}

/** One RDN per attribute: pkijs would otherwise put them all into one multi-valued RDN. */
function distinguishedName(commonName: string, organizations: readonly string[]): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: string) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()] });
  const sequence = new asn1js.Sequence({
    value: [...organizations.map((o) => rdn(OID.organization, o)), rdn(OID.commonName, commonName)],
  });
  return pkijs.RelativeDistinguishedNames.fromBER(sequence.toBER(false));
}

/** RFC 5280: UTCTime through 2049, GeneralizedTime from 2050. */
function x509Time(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: date });
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

function keyUsageBits(usages: readonly KeyUsage[]): asn1js.BitString {
  let bits = 0;
  for (const u of usages) bits |= 0x80 >> KEY_USAGE_BITS[u];
  // DER drops trailing zero bits of a named bit list.
  let unusedBits = 0;
  while (unusedBits < 7 && ((bits >> unusedBits) & 1) === 0) unusedBits++;
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]), unusedBits });
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits; what Go and OpenSSL do too. */
async function keyIdentifier(cert: pkijs.Certificate, engine: pkijs.CryptoEngine): Promise<ArrayBuffer> {
  return cert.getKeyHash("SHA-1", engine);
}

/** The certificate's subjectKeyIdentifier extension, or method 1 where it has none. */
async function subjectKeyIdOf(cert: pkijs.Certificate, engine: pkijs.CryptoEngine): Promise<ArrayBuffer> {
  const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue as asn1js.OctetString | undefined;
  return ski ? ski.valueBlock.valueHexView.slice().buffer : keyIdentifier(cert, engine);
}

/** SHA-256 of the DER, as `openssl x509 -noout -fingerprint -sha256` prints it: AB:CD:... */
export function fingerprintSha256(der: Uint8Array): string {
  return createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)!.join(":");
}

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join(".");
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(":")}]/`).hostname.slice(1, -1);
}

// --- reading certificates back ----------------------------------------------------------------

export interface CertFacts {
  serialHex: string;
  commonName: string;
  organizations: string[];
  issuerCommonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  isCa: boolean;
  keyUsages: KeyUsage[];
  /** Whether it has a keyUsage extension at all (a CA made by hand may not). */
  hasKeyUsage: boolean;
  extKeyUsages: ExtKeyUsage[];
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: KeyAlgorithm | undefined;
  /** The subjectKeyIdentifier, or method 1's where the certificate has none. */
  subjectKeyIdHex: string;
  authorityKeyIdHex: string;
  /** SHA-256 fingerprint of the DER, colon-separated uppercase hex as openssl prints it. */
  sha256: string;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Whole days from notBefore to notAfter: the validity a certificate was issued with. */
export function validityDays(facts: Pick<CertFacts, "notBefore" | "notAfter">): number {
  return Math.floor((facts.notAfter.getTime() - facts.notBefore.getTime()) / DAY_MS);
}

/** Parses a DER certificate and reads its facts. */
export async function readCertificate(der: Uint8Array<ArrayBuffer>, engine: pkijs.CryptoEngine): Promise<{ cert: pkijs.Certificate; facts: CertFacts }> {
  // Go (etcd, etcdctl) refuses a certificate with bytes after it ("x509: trailing data"); so do we.
  const parsed = asn1js.fromBER(der);
  if (parsed.offset !== -1 && parsed.offset !== der.byteLength)
    throw new Error(`${der.byteLength - parsed.offset} bytes of trailing data after the certificate`);
  const cert = pkijs.Certificate.fromBER(der);
  return { cert, facts: await certificateFacts(cert, der, engine) };
}

async function certificateFacts(cert: pkijs.Certificate, der: Uint8Array, engine: pkijs.CryptoEngine): Promise<CertFacts> {
  const attrs = (name: pkijs.RelativeDistinguishedNames, type: string) =>
    name.typesAndValues.filter((t) => t.type === type).map((t) => String(t.value.valueBlock.value));
  const ext = (oid: string) => cert.extensions?.find((e) => e.extnID === oid);
  const parsed = <T>(oid: string): T | undefined => ext(oid)?.parsedValue as T | undefined;

  const altNames = parsed<pkijs.AltName>(OID.subjectAltName)?.altNames ?? [];
  const basic = parsed<pkijs.BasicConstraints>(OID.basicConstraints);
  const keyUsageValue = parsed<asn1js.BitString>(OID.keyUsage);
  const kuByte = keyUsageValue ? new Uint8Array(keyUsageValue.valueBlock.valueHexView)[0] ?? 0 : 0;
  const ekus = parsed<pkijs.ExtKeyUsage>(OID.extKeyUsage)?.keyPurposes ?? [];
  const ski = parsed<asn1js.OctetString>(OID.subjectKeyIdentifier);
  const aki = parsed<pkijs.AuthorityKeyIdentifier>(OID.authorityKeyIdentifier);
  const publicKey = await cert.getPublicKey(undefined, engine).catch(() => undefined);
  const jwk = publicKey ? await engine.exportKey("jwk", publicKey) : undefined;

  return {
    serialHex: hex(cert.serialNumber.valueBlock.valueHexView),
    commonName: attrs(cert.subject, OID.commonName)[0] ?? "",
    organizations: attrs(cert.subject, OID.organization),
    issuerCommonName: attrs(cert.issuer, OID.commonName)[0] ?? "",
    dnsNames: altNames.filter((n) => n.type === GENERAL_NAME_DNS).map((n) => String(n.value)),
    ipAddresses: altNames
      .filter((n) => n.type === GENERAL_NAME_IP)
      .map((n) => ipText(new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView))),
    isCa: basic?.cA === true,
    keyUsages: (Object.keys(KEY_USAGE_BITS) as KeyUsage[]).filter((u) => (kuByte & (0x80 >> KEY_USAGE_BITS[u])) !== 0),
    hasKeyUsage: keyUsageValue !== undefined,
    extKeyUsages: (Object.keys(EXT_KEY_USAGE_OIDS) as ExtKeyUsage[]).filter((u) => ekus.includes(EXT_KEY_USAGE_OIDS[u])),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    keyAlgorithm: jwk ? algorithmOfJwk(jwk) : undefined,
    subjectKeyIdHex: hex(new Uint8Array(ski ? ski.valueBlock.valueHexView : await keyIdentifier(cert, engine))),
    authorityKeyIdHex: aki?.keyIdentifier ? hex(aki.keyIdentifier.valueBlock.valueHexView) : "",
    sha256: fingerprintSha256(der),
  };
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
