// Planned certificates + what the state folder holds -> what to keep, create or reissue, and the
// files that changes. Nothing is overwritten unless the caller's options say so; a replaced file is
// first copied under retired/. Pure apart from the injected clock, random source and WebCrypto.
import { createHash } from "node:crypto";
import type * as pkijs from "pkijs";
import type { KeyAlgorithm } from "../spec/types.js";
import { diagnostic, hasErrors, type Diagnostic, type DocPath } from "../diag/diagnostic.js";
import { generateKeyPair, keysMatch, privateKeyFromPem, privateKeyToPem } from "./keys.js";
import { fromPem, PEM_BLOCK, toPem } from "./pem.js";
import { CA_ID, type CertSpec } from "./plan.js";
import { cryptoEngine, DAY_MS, issueCertificate, readCertificate, validityDays, type CertFacts } from "./x509.js";

/** Marks the CA as adopted (etcdgen import-ca): the file holds that CA's SHA-256 fingerprint. */
export const IMPORTED_CA_MARKER = "ca.imported";

export interface PkiEnv {
  now(): Date;
  randomBytes(length: number): Uint8Array;
  crypto: Crypto;
}

/** The state folder's contents as text, keyed by certificate id ("server/etcd-1"). */
export interface PkiState {
  token: string | undefined;
  /** The SHA-256 fingerprint of a CA adopted with `etcdgen import-ca`: kept as it is. */
  importedCaSha256?: string | undefined;
  pairs: ReadonlyMap<string, { cert?: string; key?: string }>;
}

export interface ReconcileOptions {
  /** Reissue leaf certificates that no longer match their spec. */
  reissueStale: boolean;
  /** Replace the CA, and with it every certificate. */
  newCa: boolean;
  /** Move the state files of certificates the cluster file no longer asks for under retired/. */
  retireOrphans?: boolean;
  /** The CA fingerprint the output folder's manifest records: a build must not quietly make another. */
  recordedCaSha256?: string | undefined;
  /** Told each time a new key is ready (key generation is the slow part). */
  onKey?: (id: string, done: number, total: number) => void;
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
  | { ok: true; certs: IssuedCert[]; writes: StateWrite[]; removals: string[]; diagnostics: Diagnostic[] }
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

  // X.509 times have whole seconds: a certificate issued now must read back exactly as it will
  // from the state folder on the next build.
  const now = new Date(Math.floor(env.now().getTime() / 1000) * 1000);
  const caSpec = plan.find((s) => s.id === CA_ID);
  if (!caSpec) {
    const left = await leftOvers(plan, state, options, engine);
    return { ok: true, certs: [], writes: left.writes, removals: left.removals, diagnostics: left.diagnostics };
  }
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
    else if (options.recordedCaSha256 !== undefined && !options.newCa)
      diagnostics.push(
        diagnostic(
          "E_STATE_CA_MISSING",
          caSpec.source,
          `the state folder has no CA, but the output folder was built with the CA ${options.recordedCaSha256} (its manifest.json says so); ` +
            "building now would make a new CA, which no member trusts",
          "restore the state folder from its backup (or point --state at it); to start a new CA on purpose, pass --new-ca (every member must then switch at once)",
        ),
      );
    decisions.set(CA_ID, { action: "created", reasons: [] });
  } else {
    const imported = state.importedCaSha256 === oldCa.facts.sha256;
    const reasons = imported ? adoptedCaProblems(oldCa.facts, now) : compareCert(caSpec, oldCa.facts, { keyIdHex: oldCa.facts.subjectKeyIdHex, notAfter: undefined }, now);
    if (options.newCa) decisions.set(CA_ID, { action: "reissued", reasons: reasons.length > 0 ? reasons.map((r) => r.text) : ["--new-ca"] });
    else if (reasons.length > 0)
      diagnostics.push(
        diagnostic(
          "E_STATE_CA_STALE",
          caSpec.source,
          `the ${imported ? "adopted " : ""}CA in the state folder ${imported ? "cannot sign" : "no longer matches the cluster file"}: ${texts(reasons)}`,
          onlyExpired(reasons)
            ? "pass --new-ca to make a new CA and reissue every certificate under it (every member must switch at once)"
            : "a new CA means every member must switch to it at once; pass --new-ca to do that, or undo the change",
        ),
      );
    else {
      decisions.set(CA_ID, { action: "kept", reasons: [] });
      diagnostics.push(...expiryWarning(caSpec, oldCa.facts, now, "renew it with --new-ca (every member must switch at once)"));
      if (options.recordedCaSha256 !== undefined && options.recordedCaSha256 !== oldCa.facts.sha256)
        diagnostics.push(
          diagnostic(
            "W_CA_DIFFERS_FROM_OUTPUT",
            caSpec.source,
            `the state folder's CA ${oldCa.facts.sha256} is not the CA ${options.recordedCaSha256} the output folder was built with`,
            "check that --state names this cluster's state folder; members that trust the old CA will refuse the new output",
          ),
        );
    }
  }
  const caChanges = decisions.get(CA_ID)?.action !== "kept";
  const stale: StaleCert[] = [];
  for (const spec of leaves) {
    const old = existing.get(spec.id);
    if (!old) {
      decisions.set(spec.id, { action: "created", reasons: [] });
      continue;
    }
    const issuer = { keyIdHex: oldCa?.facts.subjectKeyIdHex ?? "", notAfter: oldCa?.facts.notAfter };
    const previousCa = oldCa ? `signed by the previous CA ${oldCa.facts.sha256}` : "signed by a CA that is gone";
    const reasons = caChanges ? [{ text: previousCa, kind: "issuer" as const }] : compareCert(spec, old.facts, issuer, now);
    if (reasons.length === 0) {
      decisions.set(spec.id, { action: "kept", reasons: [] });
      diagnostics.push(...expiryWarning(spec, old.facts, now, `move ${spec.id}.crt and .key away to have them issued again, or pass --reissue-stale once it has expired`));
    } else if (caChanges || options.reissueStale) decisions.set(spec.id, { action: "reissued", reasons: reasons.map((r) => r.text) });
    else stale.push({ spec, reasons });
  }
  diagnostics.push(...staleDiagnostics(stale));
  const { writes, removals, diagnostics: orphanWarnings } = await leftOvers(plan, state, options, engine);
  diagnostics.push(...orphanWarnings);
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };

  // Independent keys are generated concurrently: WebCrypto runs them on the thread pool.
  const fresh = plan.filter((s) => decisions.get(s.id)!.action !== "kept");
  let made = 0;
  const keyPairs = new Map(
    await Promise.all(
      fresh.map(async (s) => {
        const pair = await generateKeyPair(s.keyAlgorithm, env.crypto);
        options.onKey?.(s.id, ++made, fresh.length);
        return [s.id, pair] as const;
      }),
    ),
  );

  const certs: IssuedCert[] = [];
  type Signer = { cert: pkijs.Certificate; key: CryptoKey; algorithm: KeyAlgorithm };
  const issue = async (spec: CertSpec, issuer: Signer | undefined): Promise<Signer> => {
    const decision = decisions.get(spec.id)!;
    const old = existing.get(spec.id);
    if (decision.action === "kept" && old) {
      certs.push({ spec, certPem: old.certPem, keyPem: old.keyPem, facts: old.facts, action: "kept", reasons: [] });
      return { cert: old.cert, key: old.privateKey, algorithm: old.facts.keyAlgorithm ?? spec.keyAlgorithm };
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
        issuerKeyAlgorithm: issuer?.algorithm ?? spec.keyAlgorithm,
      },
      engine,
    );
    const der = new Uint8Array(cert.toSchema().toBER(false));
    const certPem = toPem("CERTIFICATE", der);
    const keyPem = await privateKeyToPem(pair.privateKey, env.crypto);
    if (old) {
      writes.push({ path: `retired/${spec.id}.${old.facts.serialHex}.crt`, content: old.certPem, secret: false });
      writes.push({ path: `retired/${spec.id}.${old.facts.serialHex}.key`, content: old.keyPem, secret: true });
      // An adopted CA replaced by --new-ca: its marker goes with it.
      if (spec.id === CA_ID && state.importedCaSha256 !== undefined) {
        writes.push({ path: `retired/${IMPORTED_CA_MARKER}.${old.facts.serialHex}`, content: `${state.importedCaSha256}\n`, secret: false });
        removals.push(IMPORTED_CA_MARKER);
      }
    }
    writes.push({ path: `${spec.id}.key`, content: keyPem, secret: true });
    writes.push({ path: `${spec.id}.crt`, content: certPem, secret: false });
    // The facts are read back from the encoded certificate, as a later build will read them.
    const { facts } = await readCertificate(der, engine);
    certs.push({ spec, certPem, keyPem, facts, action: decision.action, reasons: decision.reasons });
    return { cert, key: pair.privateKey, algorithm: spec.keyAlgorithm };
  };
  const ca = await issue(caSpec, undefined);
  for (const spec of leaves) await issue(spec, ca);
  return { ok: true, certs, writes, removals, diagnostics };
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
    const { cert, facts } = await readCertificate(der, engine);
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

/** Why a certificate no longer fits, in words, and which kind of setting it comes from. */
export interface Reason {
  text: string;
  kind: "subject" | "sans" | "usage" | "algorithm" | "validity" | "issuer" | "expired";
  /** Where in the cluster file the change was made, when a setting of every member made it. */
  origin?: DocPath;
}

/** What differs between a certificate and its spec; empty when it still fits. */
export function compareCert(spec: CertSpec, facts: CertFacts, issuer: IssuerFacts, now: Date): Reason[] {
  const reasons: Reason[] = [];
  const setDiff = (what: string, kind: Reason["kind"], want: readonly string[], have: readonly string[]) => {
    const added = want.filter((x) => !have.includes(x));
    const removed = have.filter((x) => !want.includes(x));
    // Names added through extra_sans are one change of [tls], not one per certificate.
    const shared = added.filter((x) => spec.sharedSans.includes(x));
    const own = added.filter((x) => !spec.sharedSans.includes(x));
    if (shared.length > 0) reasons.push({ text: `${what} added: ${shared.join(", ")}`, kind, origin: ["tls", "extra_sans"] });
    if (own.length > 0) reasons.push({ text: `${what} added: ${own.join(", ")}`, kind });
    if (removed.length > 0) reasons.push({ text: `${what} removed: ${removed.join(", ")}`, kind });
  };
  if (facts.commonName !== spec.commonName) reasons.push({ text: `common name "${facts.commonName}" becomes "${spec.commonName}"`, kind: "subject" });
  setDiff("organization", "subject", spec.organizations, facts.organizations);
  setDiff("DNS SAN", "sans", spec.dnsNames, facts.dnsNames);
  setDiff("IP SAN", "sans", spec.ipAddresses.map((ip) => ip.text), facts.ipAddresses);
  setDiff("key usage", "usage", spec.keyUsages, facts.keyUsages);
  setDiff("extended key usage", "usage", spec.extKeyUsages, facts.extKeyUsages);
  if (facts.isCa !== spec.isCa) reasons.push({ text: spec.isCa ? "must be a CA" : "must not be a CA", kind: "usage" });
  if (facts.keyAlgorithm !== spec.keyAlgorithm)
    reasons.push({ text: `key algorithm ${facts.keyAlgorithm ?? "unknown"} becomes ${spec.keyAlgorithm}`, kind: "algorithm", origin: ["tls", "key_algorithm"] });
  const days = validityDays(facts);
  const capped = issuer.notAfter !== undefined && facts.notAfter.getTime() === issuer.notAfter.getTime() && days < spec.validityDays;
  if (days !== spec.validityDays && !capped)
    reasons.push({ text: `validity ${days} days becomes ${spec.validityDays} days`, kind: "validity", origin: ["tls", spec.isCa ? "ca_validity_days" : "cert_validity_days"] });
  if (facts.authorityKeyIdHex !== issuer.keyIdHex) reasons.push({ text: "signed by another CA", kind: "issuer" });
  if (facts.notAfter.getTime() <= now.getTime()) reasons.push({ text: `expired on ${facts.notAfter.toISOString()}`, kind: "expired" });
  return reasons;
}

/** An adopted CA keeps its own subject, validity and algorithm; it only has to be able to sign. */
function adoptedCaProblems(facts: CertFacts, now: Date): Reason[] {
  const reasons: Reason[] = [];
  if (!facts.isCa) reasons.push({ text: "it is not a CA (basicConstraints CA:FALSE or missing)", kind: "usage" });
  if (facts.hasKeyUsage && !facts.keyUsages.includes("cert sign")) reasons.push({ text: "its key usage does not allow signing certificates", kind: "usage" });
  if (facts.notAfter.getTime() <= now.getTime()) reasons.push({ text: `expired on ${facts.notAfter.toISOString()}`, kind: "expired" });
  return reasons;
}

function texts(reasons: readonly Reason[]): string {
  return reasons.map((r) => r.text).join("; ");
}

function onlyExpired(reasons: readonly Reason[]): boolean {
  return reasons.every((r) => r.kind === "expired");
}

interface StaleCert {
  spec: CertSpec;
  reasons: Reason[];
}

/** Where a change that certificates of several parts of the file share is reported. */
const SHARED_SOURCE: Readonly<Record<Reason["kind"], DocPath>> = {
  sans: ["tls", "extra_sans"],
  validity: ["tls"],
  algorithm: ["tls", "key_algorithm"],
  subject: ["tls"],
  usage: ["tls"],
  issuer: ["tls"],
  expired: ["tls"],
};

/**
 * One diagnostic per change, not one per certificate: a change made by a [tls] setting (an extra
 * SAN, a new validity) is reported once where it was made, and so is one that certificates of
 * several parts of the file share; the rest once per part of the file (a node's server and peer
 * certificates together).
 */
function staleDiagnostics(stale: readonly StaleCert[]): Diagnostic[] {
  const sourceKey = (c: StaleCert) => JSON.stringify(c.spec.source);
  const sources = new Map<string, Set<string>>();
  for (const c of stale) for (const r of c.reasons) sources.set(r.text, (sources.get(r.text) ?? new Set()).add(sourceKey(c)));
  const placeOf = (c: StaleCert, r: Reason): DocPath => r.origin ?? (sources.get(r.text)!.size > 1 ? SHARED_SOURCE[r.kind] : c.spec.source);
  // Per place, the certificates and reasons; certificates with the same reasons there go together.
  const groups: { path: DocPath; ids: string[]; reasons: Reason[] }[] = [];
  const byPlace = new Map<string, Map<string, { path: DocPath; ids: string[]; reasons: Reason[] }>>();
  for (const c of stale) {
    const mine = new Map<string, { path: DocPath; reasons: Reason[] }>();
    for (const r of c.reasons) {
      const path = placeOf(c, r);
      const key = JSON.stringify(path);
      mine.set(key, { path, reasons: [...(mine.get(key)?.reasons ?? []), r] });
    }
    for (const [key, { path, reasons }] of mine) {
      const place = byPlace.get(key) ?? new Map();
      byPlace.set(key, place);
      const what = texts(reasons);
      const group = place.get(what) ?? { path, ids: [], reasons };
      if (!place.has(what)) {
        place.set(what, group);
        groups.push(group);
      }
      group.ids.push(c.spec.id);
    }
  }
  return groups.map((g) =>
    diagnostic(
      "E_STATE_CERT_STALE",
      g.path,
      `${g.ids.length === 1 ? "certificate" : "certificates"} ${g.ids.join(", ")} no longer ${g.ids.length === 1 ? "matches" : "match"} the cluster file: ${texts(g.reasons)}`,
      staleHint(g.reasons),
    ),
  );
}

function staleHint(reasons: readonly Reason[]): string {
  if (onlyExpired(reasons)) return "pass --reissue-stale to issue new ones (the expired files are kept under retired/)";
  if (reasons.every((r) => r.kind === "issuer"))
    return "the state folder's CA did not sign them; pass --reissue-stale to issue them under it (the old files are kept under retired/; every member must switch)";
  return "pass --reissue-stale to issue them again (the old files are kept under retired/), or undo the change";
}

/**
 * State files of certificates the cluster file no longer asks for (a removed node's): a warning
 * each, or with --retire-orphans, copies under retired/ and the originals removed.
 */
async function leftOvers(
  plan: readonly CertSpec[],
  state: PkiState,
  options: ReconcileOptions,
  engine: pkijs.CryptoEngine,
): Promise<{ writes: StateWrite[]; removals: string[]; diagnostics: Diagnostic[] }> {
  const planned = new Set(plan.map((s) => s.id));
  const orphaned = [...state.pairs.keys()].filter((id) => !planned.has(id)).sort();
  const writes: StateWrite[] = [];
  const removals: string[] = [];
  if (!options.retireOrphans) {
    // One warning per name: a removed node's server and peer certificates together.
    const byName = new Map<string, string[]>();
    for (const id of orphaned) {
      const name = id.includes("/") ? id.slice(id.indexOf("/") + 1) : id;
      byName.set(name, [...(byName.get(name) ?? []), id]);
    }
    const diagnostics = [...byName.values()].map((ids) =>
      diagnostic(
        "W_STATE_ORPHAN",
        [],
        `the state folder holds ${ids.join(", ")}, which the cluster file no longer asks for; ${ids.length === 1 ? "it is" : "they are"} kept`,
        `once no node uses ${ids.length === 1 ? "it" : "them"}, pass --retire-orphans to move ${ids.length === 1 ? "it" : "them"} under retired/`,
      ),
    );
    return { writes, removals, diagnostics };
  }
  for (const id of orphaned) {
    const pair = state.pairs.get(id)!;
    // Named by serial, or where there is no readable certificate by the content: a second
    // retirement of the same id never lands on the first one's name.
    const tag = (pair.cert ? await serialOf(pair.cert, engine) : undefined) ?? contentTag(`${pair.cert ?? ""}${pair.key ?? ""}`);
    for (const [ext, content, secret] of [["crt", pair.cert, false], ["key", pair.key, true]] as const) {
      if (content === undefined) continue;
      writes.push({ path: `retired/${id}.${tag}.${ext}`, content, secret });
      removals.push(`${id}.${ext}`);
    }
  }
  return { writes, removals, diagnostics: [] };
}

function contentTag(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

async function serialOf(certPem: string, engine: pkijs.CryptoEngine): Promise<string | undefined> {
  const der = fromPem("CERTIFICATE", certPem);
  if (!der) return undefined;
  try {
    return (await readCertificate(der, engine)).facts.serialHex;
  } catch {
    return undefined;
  }
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
