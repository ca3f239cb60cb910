import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildPki } from "../src/compile.js";
import { formatPath } from "../src/diag/diagnostic.js";
import { planCerts } from "../src/pki/plan.js";
import { reconcilePki, serialNumber, type PkiState, type StateWrite } from "../src/pki/reconcile.js";
import { clusterFrom, threeNodes } from "./helpers/cluster.js";
import { FIXED_NOW, testEnv } from "./helpers/env.js";

const EMPTY: PkiState = { token: undefined, pairs: new Map() };
const KEEP = { reissueStale: false, newCa: false };

/** The state folder a set of writes would leave, as reconcile reads it back. */
function stateAfter(writes: readonly StateWrite[], before: PkiState = EMPTY): PkiState {
  const pairs = new Map([...before.pairs].map(([k, v]) => [k, { ...v }]));
  let token = before.token;
  for (const w of writes) {
    if (w.path === "token") token = w.content.trim();
    if (w.path.startsWith("retired/")) continue;
    const m = /^(.*)\.(crt|key)$/.exec(w.path);
    if (!m) continue;
    const pair = pairs.get(m[1]!) ?? {};
    if (m[2] === "crt") pair.cert = w.content;
    else pair.key = w.content;
    pairs.set(m[1]!, pair);
  }
  return { token, pairs };
}

async function firstBuild(toml = threeNodes()) {
  const cluster = clusterFrom(toml);
  const r = await buildPki(cluster, EMPTY, testEnv(), KEEP);
  assert.ok(r.ok, JSON.stringify(r.diagnostics));
  return { cluster, state: stateAfter(r.stateWrites), result: r };
}

test("reconcilePki :: first build creates everything, keys secret", async () => {
  const { result } = await firstBuild();
  assert.ok(result.certs.every((c) => c.action === "created"));
  const keys = result.stateWrites.filter((w) => w.path.endsWith(".key"));
  assert.is(keys.length, 9);
  assert.ok(keys.every((w) => w.secret && w.content.startsWith("-----BEGIN PRIVATE KEY-----")));
  assert.ok(result.stateWrites.filter((w) => w.path.endsWith(".crt")).every((w) => !w.secret));
  assert.match(result.token, /^lab-[0-9a-f]{16}$/);
  assert.ok(result.stateWrites.some((w) => w.path === "token"));
});

test("reconcilePki :: second build keeps everything and writes nothing", async () => {
  const { cluster, state, result } = await firstBuild();
  const again = await buildPki(cluster, state, testEnv(), KEEP);
  assert.ok(again.ok);
  assert.equal(again.stateWrites, []);
  assert.ok(again.certs.every((c) => c.action === "kept"));
  assert.is(again.token, result.token);
  assert.equal(again.certs.map((c) => c.certPem), result.certs.map((c) => c.certPem));
});

test("reconcilePki :: a SAN added is reported, not silently reissued", async () => {
  const { state } = await firstBuild();
  const changed = clusterFrom(threeNodes().replace('dns = ["etcd-1.lan"]', 'dns = ["etcd-1.lan", "etcd-1.example"]'));
  const r = await buildPki(changed, state, testEnv(), KEEP);
  assert.not.ok(r.ok);
  // One diagnostic for the node: its server and peer certificates change for the same reason.
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_CERT_STALE"]);
  assert.match(r.diagnostics[0]!.message, "server/etcd-1, peer/etcd-1");
  assert.match(r.diagnostics[0]!.message, "DNS SAN added: etcd-1.example");
  assert.equal(r.diagnostics[0]!.path, ["nodes", 0]);
});

test("reconcilePki :: --reissue-stale reissues only what changed and retires the old files", async () => {
  const { state } = await firstBuild();
  const changed = clusterFrom(threeNodes().replace('dns = ["etcd-1.lan"]', 'dns = ["etcd-1.lan", "etcd-1.example"]'));
  const r = await buildPki(changed, state, testEnv(), { reissueStale: true, newCa: false });
  assert.ok(r.ok);
  const changedIds = r.certs.filter((c) => c.action !== "kept").map((c) => c.spec.id);
  assert.equal(changedIds, ["server/etcd-1", "peer/etcd-1"]);
  const paths = r.stateWrites.map((w) => w.path);
  assert.ok(paths.some((p) => /^retired\/server\/etcd-1\.[0-9a-f]+\.crt$/.test(p)));
  assert.ok(paths.some((p) => /^retired\/server\/etcd-1\.[0-9a-f]+\.key$/.test(p)));
  assert.ok(paths.includes("server/etcd-1.crt"));
  assert.not.ok(paths.includes("ca.key"));
});

test("reconcilePki :: a changed key algorithm makes the CA stale; --new-ca replaces all", async () => {
  const { state } = await firstBuild();
  const changed = clusterFrom(threeNodes("", "ecdsa-p384"));
  const refused = await buildPki(changed, state, testEnv(), { reissueStale: true, newCa: false });
  assert.not.ok(refused.ok);
  assert.equal(refused.diagnostics.map((d) => d.code), ["E_STATE_CA_STALE"]);
  assert.match(refused.diagnostics[0]!.message, "key algorithm ecdsa-p256 becomes ecdsa-p384");
  const replaced = await buildPki(changed, state, testEnv(), { reissueStale: false, newCa: true });
  assert.ok(replaced.ok);
  assert.ok(replaced.certs.every((c) => c.action === "reissued"));
  assert.ok(replaced.certs.every((c) => c.facts.keyAlgorithm === "ecdsa-p384"));
});

test("reconcilePki :: a node added gets new certificates, the rest is kept", async () => {
  const { state } = await firstBuild();
  const more = threeNodes() + '[[nodes]]\nname = "etcd-4"\nip = "10.0.0.14"\n[[nodes]]\nname = "etcd-5"\nip = "10.0.0.15"\n';
  const r = await buildPki(clusterFrom(more), state, testEnv(), KEEP);
  assert.ok(r.ok);
  assert.equal(r.certs.filter((c) => c.action === "created").map((c) => c.spec.id), ["server/etcd-4", "peer/etcd-4", "server/etcd-5", "peer/etcd-5"]);
});

test("reconcilePki :: a node removed leaves its files, with a warning", async () => {
  const { state } = await firstBuild();
  const fewer = threeNodes().replace(/\[\[nodes\]\]\nname = "etcd-3"\nip = "fd00::13"\n/, "");
  const r = await buildPki(clusterFrom(fewer), state, testEnv(), KEEP);
  assert.ok(r.ok);
  assert.equal(r.stateWrites, []);
  assert.equal(r.diagnostics.map((d) => d.code), ["W_STATE_ORPHAN"]);
  assert.match(r.diagnostics[0]!.message, "peer/etcd-3, server/etcd-3");
});

test("reconcilePki :: a certificate without its key is an error", async () => {
  const { cluster, state } = await firstBuild();
  const pairs = new Map(state.pairs);
  pairs.set("peer/etcd-2", { cert: pairs.get("peer/etcd-2")!.cert! });
  const r = await buildPki(cluster, { ...state, pairs }, testEnv(), { reissueStale: true, newCa: false });
  assert.not.ok(r.ok);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_INCOMPLETE"]);
});

test("reconcilePki :: a key that is not the certificate's is an error", async () => {
  const { cluster, state } = await firstBuild();
  const pairs = new Map(state.pairs);
  pairs.set("peer/etcd-2", { cert: pairs.get("peer/etcd-2")!.cert!, key: pairs.get("peer/etcd-1")!.key! });
  const r = await buildPki(cluster, { ...state, pairs }, testEnv(), KEEP);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_KEY_MISMATCH"]);
});

test("reconcilePki :: garbage in the state folder is an error, not a crash", async () => {
  const { cluster, state } = await firstBuild();
  const pairs = new Map(state.pairs);
  pairs.set("ca", { cert: "not a certificate", key: pairs.get("ca")!.key! });
  const r = await buildPki(cluster, { ...state, pairs }, testEnv(), KEEP);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_UNREADABLE"]);
});

test("reconcilePki :: leaves without their CA need --new-ca", async () => {
  const { cluster, state } = await firstBuild();
  const pairs = new Map(state.pairs);
  pairs.delete("ca");
  const r = await buildPki(cluster, { ...state, pairs }, testEnv(), { reissueStale: true, newCa: false });
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_INCOMPLETE"]);
  const fixed = await buildPki(cluster, { ...state, pairs }, testEnv(), { reissueStale: false, newCa: true });
  assert.ok(fixed.ok);
});

test("reconcilePki :: expired certificates are stale; near expiry warns", async () => {
  const { cluster, state } = await firstBuild();
  const soon = new Date(FIXED_NOW.getTime() + 350 * 86400000);
  const warned = await buildPki(cluster, state, testEnv(soon), KEEP);
  assert.ok(warned.ok);
  assert.ok(warned.diagnostics.length > 0 && warned.diagnostics.every((d) => d.code === "W_CERT_EXPIRING"));
  const later = new Date(FIXED_NOW.getTime() + 400 * 86400000);
  const expired = await buildPki(cluster, state, testEnv(later), KEEP);
  assert.not.ok(expired.ok);
  assert.match(expired.diagnostics[0]!.message, "expired on");
});

test("reconcilePki :: validity changed is stale", async () => {
  const { state } = await firstBuild();
  const r = await reconcilePki(planCerts(clusterFrom(threeNodes("cert_validity_days = 90"))), state, testEnv(), KEEP);
  assert.not.ok(r.ok);
  assert.match(r.diagnostics[0]!.message, "validity 365 days becomes 90 days");
});

test("reconcilePki :: the token in the cluster file wins and is not stored", async () => {
  const cluster = clusterFrom(threeNodes().replace('etcd_version = "3.5.17"', 'etcd_version = "3.5.17"\ntoken = "fixed-token"'));
  const r = await buildPki(cluster, EMPTY, testEnv(), KEEP);
  assert.is(r.token, "fixed-token");
  assert.not.ok(r.stateWrites.some((w) => w.path === "token"));
});

test("reconcilePki :: a certificate file with anything else in it is refused, never copied on", async () => {
  const { cluster, state } = await firstBuild();
  const pairs = new Map(state.pairs);
  const ca = pairs.get("ca")!;
  pairs.set("ca", { cert: ca.cert! + ca.key!, key: ca.key! });
  const r = await buildPki(cluster, { ...state, pairs }, testEnv(), KEEP);
  assert.not.ok(r.ok);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_UNREADABLE"]);
  assert.match(r.diagnostics[0]!.message, "exactly one CERTIFICATE block");
});

test("reconcilePki :: an expiring CA is warned about", async () => {
  const { cluster, state } = await firstBuild();
  const late = new Date(FIXED_NOW.getTime() + 3640 * 86400000);
  const r = await reconcilePki(planCerts(cluster), state, testEnv(late), { reissueStale: true, newCa: false });
  assert.ok(r.diagnostics.some((d) => d.code === "W_CERT_EXPIRING" && d.message.includes("certificate ca ")));
});

test("reconcilePki :: a certificate issued late in the CA's life ends with the CA and stays valid", async () => {
  const { cluster, state } = await firstBuild();
  const late = new Date(FIXED_NOW.getTime() + 3500 * 86400000);
  const more = clusterFrom(threeNodes() + '[[nodes]]\nname = "etcd-4"\nip = "10.0.0.14"\n[[nodes]]\nname = "etcd-5"\nip = "10.0.0.15"\n');
  const r = await buildPki(more, state, testEnv(late), { reissueStale: true, newCa: false });
  assert.ok(r.ok);
  const ca = r.certs.find((c) => c.spec.id === "ca")!;
  const added = r.certs.find((c) => c.spec.id === "server/etcd-4")!;
  assert.is(added.facts.notAfter.getTime(), ca.facts.notAfter.getTime());
  assert.ok(r.diagnostics.some((d) => d.code === "W_CERT_CAPPED_BY_CA"));
  // Read back, the capped certificate is not stale.
  const again = await buildPki(more, stateAfter(r.stateWrites, state), testEnv(late), KEEP);
  assert.ok(again.ok, JSON.stringify(again.diagnostics));
  assert.equal(again.stateWrites, []);
});

test("reconcilePki :: an extra SAN added is reported once, at extra_sans, not once per certificate", async () => {
  const { state } = await firstBuild();
  const changed = clusterFrom(threeNodes('extra_sans = ["lb.lan"]'));
  const r = await buildPki(changed, state, testEnv(), KEEP);
  assert.not.ok(r.ok);
  assert.equal(r.diagnostics.map((d) => [d.code, d.path]), [["E_STATE_CERT_STALE", ["tls", "extra_sans"]]]);
  for (const id of ["server/etcd-1", "peer/etcd-1", "server/etcd-3", "peer/etcd-3"]) assert.match(r.diagnostics[0]!.message, id);
  assert.match(r.diagnostics[0]!.message, "DNS SAN added: lb.lan");
  assert.match(r.diagnostics[0]!.hint!, "undo the change");
});

test("reconcilePki :: in a one-node cluster too, an extra SAN is reported at extra_sans and a node's name at the node", async () => {
  const one = (extra: string, dns: string) => `[cluster]\nname = "one"\netcd_version = "3.5.17"\n[tls]\n${extra}\n[[nodes]]\nname = "solo"\nip = "10.0.0.11"\ndns = [${dns}]\n`;
  const cluster = clusterFrom(one("", ""));
  const first = await buildPki(cluster, EMPTY, testEnv(), KEEP);
  const state = stateAfter(first.stateWrites);
  const r = await buildPki(clusterFrom(one('extra_sans = ["lb.lan"]', '"solo.lan"')), state, testEnv(), KEEP);
  assert.equal(r.diagnostics.map((d) => [d.code, formatPath(d.path)]), [
    ["E_STATE_CERT_STALE", "tls.extra_sans"],
    ["E_STATE_CERT_STALE", "nodes[0]"],
  ]);
  assert.match(r.diagnostics[0]!.message, "DNS SAN added: lb.lan");
  assert.match(r.diagnostics[1]!.message, "certificates server/solo, peer/solo no longer match the cluster file: DNS SAN added: solo.lan");
  const longer = await buildPki(clusterFrom(one("cert_validity_days = 400", "")), state, testEnv(), KEEP);
  assert.equal(longer.diagnostics.map((d) => formatPath(d.path)), ["tls.cert_validity_days"]);
});

test("reconcilePki :: expired certificates are reported once, and the hint does not say undo", async () => {
  const { cluster, state } = await firstBuild();
  const later = new Date(FIXED_NOW.getTime() + 400 * 86400000);
  const r = await buildPki(cluster, state, testEnv(later), KEEP);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_CERT_STALE"]);
  assert.match(r.diagnostics[0]!.message, "expired on");
  assert.not.match(r.diagnostics[0]!.hint!, "undo");
  assert.match(r.diagnostics[0]!.hint!, "--reissue-stale");
  const renewed = await buildPki(cluster, state, testEnv(later), { reissueStale: true, newCa: false });
  assert.ok(renewed.ok);
  assert.equal(renewed.certs.filter((c) => c.action === "reissued").length, 8);
});

test("reconcilePki :: a certificate made now reads back exactly as a later build reads it from the state", async () => {
  const cluster = clusterFrom(threeNodes());
  const odd = new Date("2026-01-15T12:00:00.789Z");
  const first = await buildPki(cluster, EMPTY, testEnv(odd), KEEP);
  const again = await buildPki(cluster, stateAfter(first.stateWrites), testEnv(odd), KEEP);
  assert.equal(again.certs.map((c) => c.facts), first.certs.map((c) => c.facts));
  assert.is(first.certs[0]!.facts.notBefore.getUTCMilliseconds(), 0);
});

test("reconcilePki :: an output folder built with a CA the state no longer has stops the build", async () => {
  const cluster = clusterFrom(threeNodes());
  const recorded = "AB:".repeat(31) + "CD";
  const r = await buildPki(cluster, EMPTY, testEnv(), { ...KEEP, recordedCaSha256: recorded });
  assert.not.ok(r.ok);
  assert.equal(r.diagnostics.map((d) => d.code), ["E_STATE_CA_MISSING"]);
  assert.equal(r.stateWrites, []);
  assert.ok((await buildPki(cluster, EMPTY, testEnv(), { ...KEEP, newCa: true, recordedCaSha256: recorded })).ok);
  const { state } = await firstBuild();
  const other = await buildPki(cluster, state, testEnv(), { ...KEEP, recordedCaSha256: recorded });
  assert.ok(other.ok);
  assert.equal(other.diagnostics.map((d) => d.code), ["W_CA_DIFFERS_FROM_OUTPUT"]);
});

test("serialNumber :: positive, below 2^63, minimal", () => {
  assert.equal(Array.from(serialNumber(new Uint8Array([0xff, 1, 2, 3, 4, 5, 6, 7]))), [0x7f, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(Array.from(serialNumber(new Uint8Array([0, 0, 0x80, 3, 4, 5, 6, 7]))), [0, 0x80, 3, 4, 5, 6, 7]);
  assert.equal(Array.from(serialNumber(new Uint8Array(8))), [1]);
});

test.run();
