import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatPath } from "../src/diag/diagnostic.js";
import { validateSpec } from "../src/spec/validate.js";
import { closestMatch, editDistance } from "../src/spec/suggest.js";

const minimal = () => ({ cluster: { name: "c", etcd_version: "3.5.17" }, nodes: [{ name: "n1", ip: "10.0.0.1" }] });
const codes = (raw: unknown) => validateSpec(raw).diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`);

test("validateSpec :: minimal file is valid", () => {
  const r = validateSpec(minimal());
  assert.ok(r.spec);
  assert.equal(r.diagnostics, []);
});

test("validateSpec :: unknown key gets a did-you-mean", () => {
  const raw = minimal() as Record<string, any>;
  raw.nodes[0].dsn = ["x"];
  const r = validateSpec(raw);
  assert.equal(codes(raw), ["E_UNKNOWN_KEY@nodes[0].dsn"]);
  assert.match(r.diagnostics[0]!.hint ?? "", '"dns"');
  // Set aside, the rest still validates, so the semantic stage can run too.
  assert.ok(r.spec);
});

test("validateSpec :: misspelt top-level table", () => {
  const raw = { ...minimal(), tsl: {} };
  assert.equal(codes(raw), ["E_UNKNOWN_KEY@tsl"]);
  assert.match(validateSpec(raw).diagnostics[0]!.hint ?? "", '"tls"');
});

test("validateSpec :: enum value with suggestion", () => {
  const raw = { ...minimal(), tls: { key_algorithm: "ecdsa-256" } };
  const r = validateSpec(raw);
  assert.equal(codes(raw), ["E_ENUM@tls.key_algorithm"]);
  assert.match(r.diagnostics[0]!.hint ?? "", '"ecdsa-p256"');
});

test("validateSpec :: wrong types, all reported", () => {
  const raw = { ...minimal(), ports: { client: "2379", peer: 2380.5 }, tls: { enabled: "yes" } };
  assert.equal(codes(raw).sort(), ["E_TYPE@ports.client", "E_TYPE@ports.peer", "E_TYPE@tls.enabled"]);
});

test("validateSpec :: missing required keys stop the semantic stage", () => {
  const r = validateSpec({ cluster: { name: "c" }, nodes: [{ name: "a" }] });
  assert.equal(r.spec, undefined);
  assert.equal(r.diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`).sort(), ["E_MISSING_KEY@cluster", "E_MISSING_KEY@nodes[0]"]);
});

test("closestMatch :: near and far", () => {
  assert.is(closestMatch("etcd_versoin", ["name", "etcd_version", "mode"]), "etcd_version");
  assert.is(closestMatch("zzzzzz", ["name", "mode"]), undefined);
  assert.is(editDistance("ab", "ba"), 1);
});

test("validateSpec :: a misspelt required key is one error at the misspelling, naming the key", () => {
  const raw = { cluster: { name: "lab", etcd_verison: "3.5.1" }, nodes: [{ name: "a", ip: "10.0.0.1" }, { name: "b", ipaddr: "10.0.0.2" }] };
  const { diagnostics } = validateSpec(raw);
  assert.equal(diagnostics.map((d) => `${d.code}@${formatPath(d.path)}`), ["E_UNKNOWN_KEY@cluster.etcd_verison", "E_UNKNOWN_KEY@nodes[1].ipaddr"]);
  assert.match(diagnostics[0]!.hint!, '"etcd_version"');
  assert.match(diagnostics[1]!.hint!, '"ip"');
  assert.match(diagnostics[1]!.message, "the 2nd [[nodes]] table");
});

test.run();
