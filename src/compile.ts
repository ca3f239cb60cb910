// The pure pipeline, stage by stage: text -> Cluster -> certificate plan -> reconciled PKI.
// Each stage collects all of its problems; the pipeline stops after the first stage with errors.
import { hasErrors, type Diagnostic, type DocPath } from "./diag/diagnostic.js";
import type { Cluster } from "./model/cluster.js";
import { normalizeCluster } from "./model/normalize.js";
import { parseToml, type Locator } from "./parse/toml.js";
import { planCerts } from "./pki/plan.js";
import { reconcilePki, resolveToken, type IssuedCert, type PkiEnv, type PkiState, type ReconcileOptions, type StateWrite } from "./pki/reconcile.js";
import { validateSpec } from "./spec/validate.js";

export interface CompiledCluster {
  cluster: Cluster | undefined;
  diagnostics: Diagnostic[];
  locator: Locator | undefined;
}

/** Cluster file text -> normalized Cluster, with every problem located in the text. */
export function compileCluster(text: string): CompiledCluster {
  const parsed = parseToml(text);
  if (!parsed.ok) return { cluster: undefined, diagnostics: parsed.diagnostics, locator: undefined };
  const { locator } = parsed;
  const validated = validateSpec(parsed.value);
  if (!validated.spec) return { cluster: undefined, diagnostics: locateDiagnostics(validated.diagnostics, locator), locator };
  const normalized = normalizeCluster(validated.spec);
  const under = (path: DocPath, prefix: DocPath) => prefix.every((part, i) => path[i] === part);
  const semantic = normalized.diagnostics.filter((d) => !validated.removed.some((r) => under(d.path, r)));
  const diagnostics = [...validated.diagnostics, ...semantic];
  return { cluster: hasErrors(diagnostics) ? undefined : normalized.cluster, diagnostics: locateDiagnostics(diagnostics, locator), locator };
}

export interface BuiltPki {
  ok: boolean;
  token: string;
  certs: IssuedCert[];
  /** What the state folder needs written, in order. */
  stateWrites: StateWrite[];
  /** State files to remove once the writes are done (retired orphans). */
  stateRemovals: string[];
  diagnostics: Diagnostic[];
}

export async function buildPki(cluster: Cluster, state: PkiState, env: PkiEnv, options: ReconcileOptions, locator?: Locator): Promise<BuiltPki> {
  const { token, write } = resolveToken(cluster.name, cluster.token, state, env);
  const result = await reconcilePki(planCerts(cluster), state, env, options);
  const diagnostics = locator ? locateDiagnostics(result.diagnostics, locator) : result.diagnostics;
  if (!result.ok) return { ok: false, token, certs: [], stateWrites: [], stateRemovals: [], diagnostics };
  const stateWrites = write ? [...result.writes, write] : result.writes;
  return { ok: !hasErrors(diagnostics), token, certs: result.certs, stateWrites, stateRemovals: result.removals, diagnostics };
}

/** Fills in line and column from the paths: keys for unknown keys, values for everything else. */
export function locateDiagnostics(diagnostics: readonly Diagnostic[], locator: Locator): Diagnostic[] {
  return diagnostics.map((d) => {
    if (d.position || d.path.length === 0) return d;
    const position = d.code === "E_UNKNOWN_KEY" ? locator.keyAt(d.path) : locator.valueAt(d.path);
    const related = d.related?.map((r) => {
      const at = locator.valueAt(r.path);
      return at ? { ...r, position: at } : r;
    });
    return { ...d, ...(position ? { position } : {}), ...(related ? { related } : {}) };
  });
}
