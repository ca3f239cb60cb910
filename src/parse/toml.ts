// TOML text -> plain object, plus a locator that maps a document path to its line and column.
// @iarna/toml reads the values; toml-eslint-parser's AST is used only to find where things are.
import TOML from "@iarna/toml";
import { parseTOML as parseTomlAst } from "toml-eslint-parser";
import { diagnostic, type Diagnostic, type DocPath, type Position } from "../diag/diagnostic.js";

export interface Locator {
  /** Where the value at `path` (or its deepest existing ancestor) is written. */
  valueAt(path: DocPath): Position | undefined;
  /** Where the key of `path` (or of its deepest existing ancestor) is written. */
  keyAt(path: DocPath): Position | undefined;
}

export type ParseResult =
  | { ok: true; value: Record<string, unknown>; locator: Locator }
  | { ok: false; diagnostics: Diagnostic[] };

export function parseToml(text: string): ParseResult {
  let value: Record<string, unknown>;
  try {
    value = TOML.parse(text) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, diagnostics: [syntaxDiagnostic(text, error)] };
  }
  return { ok: true, value, locator: buildLocator(text) };
}

interface TomlSyntaxError {
  message: string;
  line?: number;
  col?: number;
}

/**
 * @iarna/toml notices some errors only at the end of the line (a key defined twice is reported
 * after its value); toml-eslint-parser points at the key. Whichever position comes first wins.
 */
function syntaxDiagnostic(text: string, error: unknown): Diagnostic {
  const e = error as TomlSyntaxError;
  // @iarna/toml appends a multi-line excerpt after " at row N, col M, pos P:"; we print our own.
  let message = String(e.message ?? error).split(/ at row \d+/)[0]!.trim();
  let position = typeof e.line === "number" && typeof e.col === "number" ? clamp(text, { line: e.line + 1, column: e.col + 1 }) : undefined;
  const second = astSyntaxError(text);
  if (second && (!position || second.position.line < position.line || (second.position.line === position.line && second.position.column < position.column))) {
    message = second.message;
    position = second.position;
  }
  const d = diagnostic(
    "E_TOML_SYNTAX",
    [],
    `invalid TOML: ${lowerFirst(message)}`,
    "fix the syntax at the position shown; https://toml.io/en/v1.0.0 describes the format",
  );
  if (position) d.position = position;
  return d;
}

function astSyntaxError(text: string): { message: string; position: Position } | undefined {
  try {
    parseTomlAst(text);
    return undefined;
  } catch (error) {
    const e = error as { message?: string; lineNumber?: number; column?: number };
    if (typeof e.lineNumber !== "number" || typeof e.column !== "number") return undefined;
    return { message: String(e.message ?? ""), position: { line: e.lineNumber, column: e.column + 1 } };
  }
}

/** A column just past the end of the line is where "end of line" errors point. */
function clamp(text: string, position: Position): Position {
  const line = text.split(/\r?\n/)[position.line - 1];
  if (line === undefined) return position;
  return { line: position.line, column: Math.min(position.column, line.length + 1) };
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}

// --- locations ------------------------------------------------------------------------------

interface AstPos {
  line: number;
  column: number;
}
interface AstNode {
  type: string;
  loc: { start: AstPos };
  [k: string]: unknown;
}

interface Spot {
  key: Position;
  value: Position;
}

function pathKey(path: DocPath): string {
  return JSON.stringify(path);
}

function toPosition(p: AstPos): Position {
  return { line: p.line, column: p.column + 1 };
}

function buildLocator(text: string): Locator {
  const spots = new Map<string, Spot>();
  try {
    const program = parseTomlAst(text) as unknown as { body: AstNode[] };
    for (const top of program.body) for (const item of top.body as AstNode[]) recordTopLevel(item, spots);
  } catch {
    // The locator only adds positions; if it cannot read what @iarna/toml accepted, errors still
    // carry their paths.
  }
  const find = (path: DocPath, pick: (s: Spot) => Position) => {
    for (let n = path.length; n >= 0; n--) {
      const spot = spots.get(pathKey(path.slice(0, n)));
      if (spot) return pick(spot);
    }
    return undefined;
  };
  return {
    valueAt: (path) => find(path, (s) => s.value),
    keyAt: (path) => find(path, (s) => s.key),
  };
}

function record(spots: Map<string, Spot>, path: DocPath, spot: Spot): void {
  const k = pathKey(path);
  if (!spots.has(k)) spots.set(k, spot);
}

function recordTopLevel(node: AstNode, spots: Map<string, Spot>): void {
  if (node.type === "TOMLTable") {
    const tablePath = node.resolvedKey as (string | number)[];
    const at = toPosition(node.loc.start);
    for (let n = 1; n <= tablePath.length; n++) record(spots, tablePath.slice(0, n), { key: at, value: at });
    for (const kv of node.body as AstNode[]) recordKeyValue(kv, tablePath, spots);
  } else {
    recordKeyValue(node, [], spots);
  }
}

function recordKeyValue(kv: AstNode, base: DocPath, spots: Map<string, Spot>): void {
  const keys = (kv.key as { keys: AstNode[] }).keys;
  const value = kv.value as AstNode;
  let path: DocPath = base;
  keys.forEach((keyNode, i) => {
    const name = (keyNode.name ?? keyNode.value) as string;
    path = [...path, name];
    const isLast = i === keys.length - 1;
    record(spots, path, {
      key: toPosition(keyNode.loc.start),
      value: toPosition(isLast ? value.loc.start : keyNode.loc.start),
    });
  });
  recordValue(value, path, spots);
}

function recordValue(value: AstNode, path: DocPath, spots: Map<string, Spot>): void {
  if (value.type === "TOMLArray") {
    (value.elements as AstNode[]).forEach((el, i) => {
      const at = toPosition(el.loc.start);
      record(spots, [...path, i], { key: at, value: at });
      recordValue(el, [...path, i], spots);
    });
  } else if (value.type === "TOMLInlineTable") {
    for (const kv of value.body as AstNode[]) recordKeyValue(kv, path, spots);
  }
}
