// Planned certificates + what the state folder holds -> what to keep, create or reissue, and the
// files that changes. Nothing is overwritten unless the caller's options say so; a replaced file is
// first copied under retired/. Pure apart from the injected clock, random source and WebCrypto.
import type * as pkijs from "pkijs";
import { diagnostic, hasErrors, type Diagnostic } from "../diag/diagnostic.js";
import { generateKeyPair, keysMatch, privateKeyFromPem, privateKeyToPem } from "./keys.js";
import { fromPem, PEM_BLOCK, toPem } from "./pem.js";
import { CA_ID, type CertSpec } from "./plan.js";
import { cryptoEngine, DAY_MS, issueCertificate, parseCertificate, readCertificate, validityDays, type CertFacts } from "./x509.js";

export interface PkiEnv {
  now(): Date;
  randomBytes(length: number): Uint8Array;
  crypto: Crypto;
}

/** The state folder's contents as text, keyed by certificate id ("server/etcd-1"). */
export interface PkiState {
  token: string | undefined;
  pairs: ReadonlyMap<string, { cert?: string; key?: string }>;
}

export interface ReconcileOptions {
  /** Reissue leaf certificates that no longer match their spec. */
  reissueStale: boolean;
  /** Replace the CA, and with it every certificate. */
  newCa: boolean;
}

export type CertAction = "kept" | "created" | "reissued";

export interface IssuedCert {
  spec: CertSpec;
  certPem: string;
  keyPem: string;
  facts: CertFacts;
  action: CertAction;
  /** Why it was reissued, or what would have to change. */
  reasons: string[];
}

export interface StateWrite {
  /** Relative to the state folder. */
  path: string;
  content: string;
  secret: boolean;
}

export type ReconcileResult =
  | { ok: true; certs: IssuedCert[]; writes: StateWrite[]; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

const BACKDATE_MS = 5 * 60 * 1000; // tolerate clocks a few minutes behind, as kubeadm does
const EXPIRY_WARNING_DAYS = 30;

interface Existing {
  cert: pkijs.Certificate;
  facts: CertFacts;
  privateKey: CryptoKey;
  certPem: string;
  keyPem: string;
}

export async function reconcilePki(
  plan: readonly CertSpec[],
  state: PkiState,
  env: PkiEnv,
  options: ReconcileOptions,
): Promise<ReconcileResult> {
  const engine = cryptoEngine(env.crypto);
  const diagnostics: Diagnostic[] = [];
  const existing = new Map<string, Existing>();
  const loaded = await Promise.all(plan.map((spec) => loadExisting(spec, state, env.crypto, engine)));
  loaded.forEach((result, i) => {
    if (!result) return;
    if ("diagnostic" in result) diagnostics.push(result.diagnostic);
    else existing.set(plan[i]!.id, result);
  });
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };

  const now = env.now();
  const caSpec = plan.find((s) => s.id === CA_ID);
  if (!caSpec) return { ok: true, certs: [], writes: [], diagnostics: orphans(plan, state) };
  const oldCa = existing.get(CA_ID);
  const leaves = plan.filter((s) => s.id !== CA_ID);

  // Decide first, generate and sign after: every problem is reported before anything is made.
  const decisions = new Map<string, { action: CertAction; reasons: string[] }>();
  if (!oldCa) {
    const orphanedLeaves = leaves.filter((s) => existing.has(s.id)).map((s) => s.id);
    if (orphanedLeaves.length > 0 && !options.newCa)
      diagnostics.push(
        diagnostic(
          "E_STATE_INCOMPLETE",
          caSpec.source,
          `the state folder has certificates (${orphanedLeaves.join(", ")}) but not the CA that signed them`,
          "restore ca.crt and ca.key from a backup, or pass --new-ca to start a new CA and reissue every certificate",
        ),
      );
    decisions.set(CA_ID, { action: "created", reasons: [] });
  } else {
    const reasons = compareCert(caSpec, oldCa.facts, { keyIdHex: oldCa.facts.subjectKeyIdHex, notAfter: undefined }, now);
    if (options.newCa) decisions.set(CA_ID, { action: "reissued", reasons: reasons.length > 0 ? reasons : ["--new-ca"] });
    else if (reasons.length > 0)
      diagnostics.push(
        diagnostic(
          "E_STATE_CA_STALE",
          caSpec.source,
          `the CA in the state folder no longer matches the cluster file: ${reasons.join("; ")}`,
          "a new CA means every member must switch to it at once; pass --new-ca to do that, or undo the change",
        ),
      );
    else {
      decisions.set(CA_ID, { action: "kept", reasons: [] });
      diagnostics.push(...expiryWarning(caSpec, oldCa.facts, now, "renew it with --new-ca (every member must switch at once)"));
    }
  }
  const caChanges = decisions.get(CA_ID)?.action !== "kept";
  for (const spec of leaves) {
    const old = existing.get(spec.id);
    if (!old) {
      decisions.set(spec.id, { action: "created", reasons: [] });
      continue;
    }
    const issuer = { keyIdHex: oldCa?.facts.subjectKeyIdHex ?? "", notAfter: oldCa?.facts.notAfter };
    const reasons = caChanges ? ["signed by the previous CA"] : compareCert(spec, old.facts, issuer, now);
    if (reasons.length === 0) {
      decisions.set(spec.id, { action: "kept", reasons });
      diagnostics.push(...expiryWarning(spec, old.facts, now, `move ${spec.id}.crt and .key away to have them issued again, or pass --reissue-stale once it has expired`));
    } else if (caChanges || options.reissueStale) decisions.set(spec.id, { action: "reissued", reasons });
    else
      diagnostics.push(
        diagnostic(
          "E_STATE_CERT_STALE",
          spec.source,
          `certificate ${spec.id} no longer matches the cluster file: ${reasons.join("; ")}`,
          "pass --reissue-stale to issue it again (the old files are kept under retired/), or undo the change",
        ),
      );
  }
  diagnostics.push(...orphans(plan, state));
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };

  // Independent keys are generated concurrently: WebCrypto runs them on the thread pool.
  const fresh = plan.filter((s) => decisions.get(s.id)!.action !== "kept");
  const keyPairs = new Map(
    await Promise.all(fresh.map(async (s) => [s.id, await generateKeyPair(s.keyAlgorithm, env.crypto)] as const)),
  );

  const writes: StateWrite[] = [];
  const certs: IssuedCert[] = [];
  const issue = async (spec: CertSpec, issuer: { cert: pkijs.Certificate; key: CryptoKey } | undefined) => {
    const decision = decisions.get(spec.id)!;
    const old = existing.get(spec.id);
    if (decision.action === "kept" && old) {
      certs.push({ spec, certPem: old.certPem, keyPem: old.keyPem, facts: old.facts, action: "kept", reasons: [] });
      return { cert: old.cert, key: old.privateKey };
    }
    const pair = keyPairs.get(spec.id)!;
    // A certificate cannot be valid longer than the CA that signed it.
    const wanted = now.getTime() + spec.validityDays * DAY_MS;
    const notAfter = new Date(issuer ? Math.min(wanted, issuer.cert.notAfter.value.getTime()) : wanted);
    if (notAfter.getTime() < wanted)
      diagnostics.push(
        diagnostic(
          "W_CERT_CAPPED_BY_CA",
          spec.source,
          `certificate ${spec.id} expires with the CA on ${notAfter.toISOString()}, before its ${spec.validityDays} days`,
          "plan the CA's renewal (--new-ca)",
        ),
      );
    const cert = await issueCertificate(
      {
        spec,
        serial: serialNumber(env.randomBytes(8)),
        notBefore: new Date(now.getTime() - BACKDATE_MS),
        notAfter,
        subjectPublicKey: pair.publicKey,
        issuer: issuer?.cert,
        issuerPrivateKey: issuer?.key ?? pair.privateKey,
      },
      engine,
    );
    const certPem = toPem("CERTIFICATE", cert.toSchema().toBER(false));
    const keyPem = await privateKeyToPem(pair.privateKey, env.crypto);
    if (old) {
      writes.push({ path: `retired/${spec.id}.${old.facts.serialHex}.crt`, content: old.certPem, secret: false });
      writes.push({ path: `retired/${spec.id}.${old.facts.serialHex}.key`, content: old.keyPem, secret: true });
    }
    writes.push({ path: `${spec.id}.key`, content: keyPem, secret: true });
    writes.push({ path: `${spec.id}.crt`, content: certPem, secret: false });
    certs.push({ spec, certPem, keyPem, facts: await readCertificate(cert, engine), action: decision.action, reasons: decision.reasons });
    return { cert, key: pair.privateKey };
  };
  const ca = await issue(caSpec, undefined);
  for (const spec of leaves) await issue(spec, ca);
  return { ok: true, certs, writes, diagnostics };
}

async function loadExisting(
  spec: CertSpec,
  state: PkiState,
  crypto: Crypto,
  engine: pkijs.CryptoEngine,
): Promise<Existing | { diagnostic: Diagnostic } | undefined> {
  const pair = state.pairs.get(spec.id);
  if (!pair || (pair.cert === undefined && pair.key === undefined)) return undefined;
  if (pair.cert === undefined || pair.key === undefined) {
    const [has, lacks] = pair.cert === undefined ? ["key", "crt"] : ["crt", "key"];
    return {
      diagnostic: diagnostic(
        "E_STATE_INCOMPLETE",
        spec.source,
        `the state folder has ${spec.id}.${has} but not ${spec.id}.${lacks}`,
        `restore ${spec.id}.${lacks} from a backup, or move ${spec.id}.${has} away to have a new pair issued`,
      ),
    };
  }
  try {
    // Exactly one block each: anything else in the files (a key pasted into a .crt) would
    // otherwise travel into the output.
    requireSingleBlock(pair.cert, "CERTIFICATE", `${spec.id}.crt`);
    requireSingleBlock(pair.key, "PRIVATE KEY", `${spec.id}.key`);
    const der = fromPem("CERTIFICATE", pair.cert)!;
    const cert = parseCertificate(der);
    const facts = await readCertificate(cert, engine);
    if (!facts.keyAlgorithm) throw new Error("its public key is of an algorithm etcdgen does not issue");
    const privateKey = await privateKeyFromPem(pair.key, facts.keyAlgorithm, crypto);
    if (!(await keysMatch(privateKey, await cert.getPublicKey(undefined, engine), crypto))) {
      return {
        diagnostic: diagnostic(
          "E_STATE_KEY_MISMATCH",
          spec.source,
          `${spec.id}.key is not the private key of ${spec.id}.crt`,
          "restore the matching pair from a backup, or move both files away to have a new pair issued",
        ),
      };
    }
    // Re-encoded, so the output carries the canonical form of exactly these bytes.
    return { cert, facts, privateKey, certPem: toPem("CERTIFICATE", der), keyPem: await privateKeyToPem(privateKey, crypto) };
  } catch (error) {
    return {
      diagnostic: diagnostic(
        "E_STATE_UNREADABLE",
        spec.source,
        `cannot read ${spec.id}.crt/${spec.id}.key from the state folder: ${(error as Error).message}`,
        "restore the files from a backup, or move them away to have a new pair issued",
      ),
    };
  }
}

function requireSingleBlock(text: string, label: string, file: string): void {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((m) => m[1]);
  if (blocks.length !== 1 || blocks[0] !== label)
    throw new Error(`${file} must hold exactly one ${label} block, and holds ${blocks.length === 0 ? "none" : blocks.join(", ")}`);
}

function expiryWarning(spec: CertSpec, facts: CertFacts, now: Date, hint: string): Diagnostic[] {
  const daysLeft = Math.floor((facts.notAfter.getTime() - now.getTime()) / DAY_MS);
  if (daysLeft >= EXPIRY_WARNING_DAYS) return [];
  return [diagnostic("W_CERT_EXPIRING", spec.source, `certificate ${spec.id} expires in ${daysLeft} days (${facts.notAfter.toISOString()})`, hint)];
}

export interface IssuerFacts {
  keyIdHex: string;
  /** A certificate ending exactly with its CA was capped, not shortened. */
  notAfter: Date | undefined;
}

/** What differs between a certificate and its spec, in words; empty when it still fits. */
export function compareCert(spec: CertSpec, facts: CertFacts, issuer: IssuerFacts, now: Date): string[] {
  const reasons: string[] = [];
  const setDiff = (what: string, want: readonly string[], have: readonly string[]) => {
    const added = want.filter((x) => !have.includes(x));
    const removed = have.filter((x) => !want.includes(x));
    if (added.length > 0) reasons.push(`${what} added: ${added.join(", ")}`);
    if (removed.length > 0) reasons.push(`${what} removed: ${removed.join(", ")}`);
  };
  if (facts.commonName !== spec.commonName) reasons.push(`common name "${facts.commonName}" becomes "${spec.commonName}"`);
  setDiff("organization", spec.organizations, facts.organizations);
  setDiff("DNS SAN", spec.dnsNames, facts.dnsNames);
  setDiff("IP SAN", spec.ipAddresses.map((ip) => ip.text), facts.ipAddresses);
  setDiff("key usage", spec.keyUsages, facts.keyUsages);
  setDiff("extended key usage", spec.extKeyUsages, facts.extKeyUsages);
  if (facts.isCa !== spec.isCa) reasons.push(spec.isCa ? "must be a CA" : "must not be a CA");
  if (facts.keyAlgorithm !== spec.keyAlgorithm) reasons.push(`key algorithm ${facts.keyAlgorithm ?? "unknown"} becomes ${spec.keyAlgorithm}`);
  const days = validityDays(facts);
  const capped = issuer.notAfter !== undefined && facts.notAfter.getTime() === issuer.notAfter.getTime() && days < spec.validityDays;
  if (days !== spec.validityDays && !capped) reasons.push(`validity ${days} days becomes ${spec.validityDays} days`);
  if (facts.authorityKeyIdHex !== issuer.keyIdHex) reasons.push("signed by another CA");
  if (facts.notAfter.getTime() <= now.getTime()) reasons.push(`expired on ${facts.notAfter.toISOString()}`);
  return reasons;
}

function orphans(plan: readonly CertSpec[], state: PkiState): Diagnostic[] {
  const planned = new Set(plan.map((s) => s.id));
  return [...state.pairs.keys()]
    .filter((id) => !planned.has(id))
    .sort()
    .map((id) =>
      diagnostic(
        "W_STATE_ORPHAN",
        [],
        `the state folder holds ${id}, which the cluster file no longer asks for; it is kept`,
        "move it away by hand once no node uses it",
      ),
    );
}

/** A positive serial below 2^63, minimally encoded, as kubeadm uses. */
export function serialNumber(random: Uint8Array): Uint8Array {
  const bytes = Uint8Array.from(random.subarray(0, 8));
  bytes[0] = bytes[0]! & 0x7f;
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && bytes[start + 1]! < 0x80) start++;
  const serial = bytes.subarray(start);
  if (serial.every((b) => b === 0)) return new Uint8Array([1]);
  return serial;
}

/** The initial cluster token: the file's, else the state's, else a new one to be saved. */
export function resolveToken(
  clusterName: string,
  fromFile: string | undefined,
  state: PkiState,
  env: Pick<PkiEnv, "randomBytes">,
): { token: string; write: StateWrite | undefined } {
  if (fromFile !== undefined) return { token: fromFile, write: undefined };
  if (state.token !== undefined) return { token: state.token, write: undefined };
  const token = `${clusterName}-${Buffer.from(env.randomBytes(8)).toString("hex")}`;
  return { token, write: { path: "token", content: `${token}\n`, secret: false } };
}
