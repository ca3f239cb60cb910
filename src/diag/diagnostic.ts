// A problem found in the input or the state, as a value. Stages collect these instead of throwing;
// the path points into the cluster file and is turned into a line and column at the end.
import { severityOf, type Code, type Severity } from "./codes.js";

/** A logical path into the TOML document: keys and array indexes, e.g. ["nodes", 2, "ip"]. */
export type DocPath = readonly (string | number)[];

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic {
  code: Code;
  severity: Severity;
  path: DocPath;
  message: string;
  hint?: string;
  /** Filled in by locateDiagnostics, or directly by the parser for syntax errors. */
  position?: Position;
  /** Where the value lives that a duplicate collides with, for example. */
  related?: { path: DocPath; message: string; position?: Position }[];
}

export function diagnostic(
  code: Code,
  path: DocPath,
  message: string,
  hint?: string,
  related?: Diagnostic["related"],
): Diagnostic {
  const d: Diagnostic = { code, severity: severityOf(code), path, message };
  if (hint !== undefined) d.hint = hint;
  if (related !== undefined) d.related = related;
  return d;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `nodes[2].ip`: how paths are shown to people. */
export function formatPath(path: DocPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}
