// raw object -> ClusterSpec, checked against schemas/cluster.schema.json. Every violation is
// reported at once, as diagnostics with the path of the offending key or value.
import { Ajv, type ErrorObject } from "ajv";
import schema from "../../schemas/cluster.schema.json" with { type: "json" };
import { diagnostic, formatPath, type Diagnostic, type DocPath } from "../diag/diagnostic.js";
import { closestMatch } from "./suggest.js";
import type { ClusterSpec } from "./types.js";

export { schema as clusterSchema };

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, verbose: true });
const validate = ajv.compile(schema);

export interface SpecResult {
  /** The spec, when the document fits the schema once the offending values are set aside. */
  spec: ClusterSpec | undefined;
  diagnostics: Diagnostic[];
  /** Paths of values set aside; later stages' findings below them are noise. */
  removed: DocPath[];
}

/**
 * Validates against the schema. So that one run reports every problem, values that break the
 * schema (unknown keys, wrong types, bad enum values) are set aside and the rest is validated
 * again; if it then fits, the spec is returned for the semantic checks, with the errors.
 */
export function validateSpec(raw: unknown): SpecResult {
  if (validate(raw)) return { spec: raw as unknown as ClusterSpec, diagnostics: [], removed: [] };
  const found = dedupe((validate.errors ?? []).flatMap((e) => toDiagnostic(e)));
  const removable = found.filter((d) => d.code !== "E_MISSING_KEY").map((d) => d.path);
  const diagnostics = pairMisspellings(found);
  if (removable.length !== found.length || removable.some((p) => p.length === 0))
    return { spec: undefined, diagnostics, removed: removable };
  const pruned = structuredClone(raw) as Record<string, unknown>;
  for (const path of removable) removeAt(pruned, path);
  return validate(pruned)
    ? { spec: pruned as unknown as ClusterSpec, diagnostics, removed: removable }
    : { spec: undefined, diagnostics, removed: removable };
}

function removeAt(root: Record<string, unknown>, path: DocPath): void {
  let node: unknown = root;
  for (const part of path.slice(0, -1)) node = (node as Record<string | number, unknown> | undefined)?.[part];
  const last = path[path.length - 1]!;
  if (Array.isArray(node) && typeof last === "number") node.splice(last, 1, undefined);
  else if (node && typeof node === "object") delete (node as Record<string, unknown>)[String(last)];
}

function instancePath(error: ErrorObject): DocPath {
  if (error.instancePath === "") return [];
  return error.instancePath
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function toDiagnostic(error: ErrorObject): Diagnostic[] {
  const path = instancePath(error);
  const where = tableName(path);
  const schemaNode = error.parentSchema as { properties?: Record<string, unknown>; enum?: unknown[] } | undefined;
  switch (error.keyword) {
    case "additionalProperties": {
      const key = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys(schemaNode?.properties ?? {});
      const guess = closestMatch(key, allowed);
      return [
        diagnostic(
          "E_UNKNOWN_KEY",
          [...path, key],
          `unknown key "${key}" in ${where}`,
          guess ? `did you mean "${guess}"?` : `allowed keys: ${allowed.join(", ")}`,
        ),
      ];
    }
    case "required": {
      const key = (error.params as { missingProperty: string }).missingProperty;
      const missing = diagnostic("E_MISSING_KEY", path, `missing required key "${key}" in ${where}`, missingKeyHint(key, schemaNode?.properties?.[key]));
      MISSING_KEYS.set(missing, key);
      return [missing];
    }
    case "enum": {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const got = valueText(error.data);
      const guess = typeof error.data === "string" ? closestMatch(error.data, allowed) : undefined;
      return [
        diagnostic(
          "E_ENUM",
          path,
          `${formatPath(path)} is ${got}, which is not one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
          guess ? `did you mean "${guess}"?` : `use one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
        ),
      ];
    }
    case "type": {
      const expected = (error.params as { type: string }).type;
      return [
        diagnostic(
          "E_TYPE",
          path,
          `${formatPath(path) || "the document"} must be ${article(tomlTypeName(expected))}, not ${article(tomlTypeOf(error.data))}`,
          typeHint(expected),
        ),
      ];
    }
    default:
      return [diagnostic("E_TYPE", path, `${formatPath(path)}: ${error.message ?? "invalid value"}`)];
  }
}

function tomlTypeName(jsonType: string): string {
  switch (jsonType) {
    case "object":
      return "table";
    case "array":
      return "array";
    case "integer":
      return "integer";
    case "number":
      return "number";
    default:
      return jsonType;
  }
}

function tomlTypeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value instanceof Date) return "date-time";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "float";
  if (typeof value === "bigint") return "integer";
  if (value !== null && typeof value === "object") return "table";
  return typeof value;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

function typeHint(expected: string): string {
  switch (expected) {
    case "string":
      return 'quote the value: key = "value"';
    case "integer":
      return "write a whole number without quotes: key = 2379";
    case "boolean":
      return "write true or false without quotes";
    case "array":
      return 'write a list: key = ["a", "b"]';
    case "object":
      return "write a table: [name] with keys below it, or [[name]] for each item of a list";
    default:
      return `write ${article(expected)}`;
  }
}

function valueText(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** Which key an E_MISSING_KEY diagnostic is about. */
const MISSING_KEYS = new WeakMap<Diagnostic, string>();

/**
 * A required key missing beside an unknown key in the same table is most likely that key
 * misspelt (etcd_verison, ipaddr): one error at the misspelling, saying so, instead of two.
 */
function pairMisspellings(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const dropped = new Set<Diagnostic>();
  const replaced = new Map<Diagnostic, Diagnostic>();
  for (const missing of diagnostics.filter((d) => d.code === "E_MISSING_KEY")) {
    const key = MISSING_KEYS.get(missing);
    const table = formatPath(missing.path);
    const beside = diagnostics.filter((d) => d.code === "E_UNKNOWN_KEY" && formatPath(d.path.slice(0, -1)) === table && !replaced.has(d));
    const misspelt = beside.length === 1 ? beside[0]! : beside.find((d) => key !== undefined && closestMatch(String(d.path.at(-1)), [key]) === key);
    if (!key || !misspelt) continue;
    dropped.add(missing);
    replaced.set(misspelt, { ...misspelt, hint: `did you mean "${key}"? it is required and missing` });
  }
  return diagnostics.filter((d) => !dropped.has(d)).map((d) => replaced.get(d) ?? d);
}

/** A table as TOML writes it: [cluster], the 2nd [[nodes]] table, the top level. */
function tableName(path: DocPath): string {
  if (path.length === 0) return "the top level";
  const last = path[path.length - 1];
  if (typeof last === "number") {
    const n = last + 1;
    const suffix = n % 10 === 1 && n % 100 !== 11 ? "st" : n % 10 === 2 && n % 100 !== 12 ? "nd" : n % 10 === 3 && n % 100 !== 13 ? "rd" : "th";
    return `the ${n}${suffix} [[${formatPath(path.slice(0, -1))}]] table`;
  }
  return `[${formatPath(path)}]`;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const k = `${d.code}|${formatPath(d.path)}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** How to add a missing key in TOML's own words: a table, an array of tables, or a value. */
function missingKeyHint(key: string, schema: unknown): string {
  const node = schema as { type?: string; items?: { type?: string } } | undefined;
  if (node?.type === "array" && node.items?.type === "object") return `add at least one [[${key}]] table`;
  if (node?.type === "object") return `add a [${key}] table`;
  return `add ${key} = ...`;
}
