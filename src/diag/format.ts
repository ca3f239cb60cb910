// Renders diagnostics the way compilers do: `file:line:col: error[CODE]: message`, the source line,
// a caret under the column, then the hint. Pure: returns text; the CLI prints it.
import { formatPath, type Diagnostic, type Position } from "./diagnostic.js";

export interface FormatOptions {
  fileName: string;
  source?: string;
  color?: boolean;
}

const RED = "\u001b[31;1m";
const YELLOW = "\u001b[33;1m";
const BOLD = "\u001b[1m";
const CYAN = "\u001b[36m";
const RESET = "\u001b[0m";

export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: FormatOptions): string {
  const lines = options.source?.split(/\r?\n/) ?? [];
  const paint = (code: string, text: string) => (options.color ? `${code}${text}${RESET}` : text);
  const blocks = sortDiagnostics(diagnostics).map((d) => {
    const where = d.position ? `${options.fileName}:${d.position.line}:${d.position.column}` : options.fileName;
    const label = paint(d.severity === "error" ? RED : YELLOW, `${d.severity}[${d.code}]`);
    const path = d.path.length > 0 ? ` (${formatPath(d.path)})` : "";
    const out = [`${paint(BOLD, where)}: ${label}: ${d.message}${path}`];
    if (d.position) out.push(...excerpt(lines, d.position, (t) => paint(CYAN, t)));
    for (const r of d.related ?? []) {
      const at = r.position ? `${options.fileName}:${r.position.line}:${r.position.column}` : formatPath(r.path);
      out.push(`  note: ${r.message} (${at})`);
    }
    if (d.hint) out.push(`  ${paint(CYAN, "hint")}: ${d.hint}`);
    return out.join("\n");
  });
  return blocks.length > 0 ? `${blocks.join("\n\n")}\n` : "";
}

export function summarizeDiagnostics(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

function excerpt(lines: readonly string[], position: Position, paint: (t: string) => string): string[] {
  const text = lines[position.line - 1];
  if (text === undefined) return [];
  const gutter = String(position.line);
  const pad = " ".repeat(gutter.length);
  const caretIndent = text.slice(0, position.column - 1).replace(/[^\t]/g, " ");
  return [`${paint(`${gutter} |`)} ${text}`, `${paint(`${pad} |`)} ${caretIndent}${paint("^")}`];
}

/** Errors and warnings in the order they appear in the file; unlocated ones last. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const key = (d: Diagnostic) => (d.position ? d.position.line * 100000 + d.position.column : Number.MAX_SAFE_INTEGER);
  return [...diagnostics].sort((a, b) => key(a) - key(b));
}
