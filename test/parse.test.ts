import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseToml } from "../src/parse/toml.js";

test("parseToml :: reads values", () => {
  const r = parseToml('[cluster]\nname = "a"\n[[nodes]]\nip = "10.0.0.1"\n');
  assert.ok(r.ok);
  if (r.ok) assert.equal(r.value, { cluster: { name: "a" }, nodes: [{ ip: "10.0.0.1" }] });
});

test("parseToml :: syntax error keeps its line and column", () => {
  const r = parseToml('[cluster]\nname = "a"\nport = [1,\n  x]\n');
  assert.not.ok(r.ok);
  if (r.ok) return;
  assert.is(r.diagnostics.length, 1);
  assert.is(r.diagnostics[0]!.code, "E_TOML_SYNTAX");
  assert.equal(r.diagnostics[0]!.position, { line: 4, column: 3 });
});

test("parseToml :: duplicate key is a syntax error", () => {
  const r = parseToml('a = 1\na = 2\n');
  assert.not.ok(r.ok);
  if (!r.ok) assert.is(r.diagnostics[0]!.code, "E_TOML_SYNTAX");
});

test("locator :: keys, values, array tables, inline tables, dotted keys", () => {
  const text = ['[cluster]', 'name = "x"', '[[nodes]]', 'name = "a"', '[[nodes]]', 'ip  =  "b"', 'dns = ["p", "q"]', 'ports = { client = 1 }', 'a.b = 2'].join("\n");
  const r = parseToml(text);
  assert.ok(r.ok);
  if (!r.ok) return;
  const { locator } = r;
  assert.equal(locator.valueAt(["cluster", "name"]), { line: 2, column: 8 });
  assert.equal(locator.keyAt(["cluster", "name"]), { line: 2, column: 1 });
  assert.equal(locator.valueAt(["nodes", 1]), { line: 5, column: 1 });
  assert.equal(locator.valueAt(["nodes", 1, "ip"]), { line: 6, column: 8 });
  assert.equal(locator.valueAt(["nodes", 1, "dns", 1]), { line: 7, column: 13 });
  assert.equal(locator.valueAt(["nodes", 1, "ports", "client"]), { line: 8, column: 20 });
  assert.equal(locator.keyAt(["nodes", 1, "a", "b"]), { line: 9, column: 3 });
  // A path that does not exist falls back to its deepest existing ancestor.
  assert.equal(locator.valueAt(["nodes", 0, "ip"]), { line: 3, column: 1 });
});

test.run();
