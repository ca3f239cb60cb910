// Escape functions, one per output format, handed to mustache in place of its HTML default.
import Mustache from "mustache";

/** A word for sh: single-quoted, with embedded single quotes closed and reopened. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A value in a systemd EnvironmentFile: double-quoted, backslash-escaped. */
export function systemdEnvQuote(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`;
}

/** A value placed verbatim in a unit file; anything that could break a line is refused. */
export function unitValue(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new Error(`value ${JSON.stringify(value)} cannot go into a unit file`);
  return value;
}

export type Escape = (value: string) => string;

export function renderTemplate(template: string, view: object, escape: Escape, partials: Record<string, string> = {}): string {
  return Mustache.render(template, view, partials, { escape: (v: unknown) => escape(String(v)) });
}
