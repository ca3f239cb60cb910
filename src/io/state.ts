// The state folder on disk: loading it into a PkiState, and applying the writes reconcile decided.
import { byText } from "../order.js";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { PkiState, StateWrite } from "../pki/reconcile.js";
import { writeFileAtomic } from "./files.js";

const PAIR_FILE = /\.(crt|key)$/;

export function loadState(dir: string): PkiState {
  const pairs = new Map<string, { cert?: string; key?: string }>();
  if (!existsSync(dir)) return { token: undefined, pairs };
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort(byText((e) => e.name))) {
      const path = join(folder, entry.name);
      const rel = relative(dir, path).split(sep).join("/");
      // Links are followed: a state folder may be assembled from links to a secrets store.
      const stat = entry.isSymbolicLink() ? statSync(path) : entry;
      if (stat.isDirectory()) {
        if (rel !== "retired") walk(path);
      } else if (stat.isFile() && PAIR_FILE.test(entry.name)) {
        const id = rel.replace(PAIR_FILE, "");
        const pair = pairs.get(id) ?? {};
        if (rel.endsWith(".crt")) pair.cert = readFileSync(path, "utf8");
        else pair.key = readFileSync(path, "utf8");
        pairs.set(id, pair);
      }
    }
  };
  walk(dir);
  const tokenFile = join(dir, "token");
  const token = existsSync(tokenFile) ? readFileSync(tokenFile, "utf8").trim() : undefined;
  return { token: token || undefined, pairs };
}

/** Writes the changes; a retired copy that is already there is left as it is. */
export function saveState(dir: string, writes: readonly StateWrite[]): void {
  if (writes.length === 0) return;
  // The folder holds the CA key: only its owner may enter it.
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const write of writes) {
    const path = join(dir, ...write.path.split("/"));
    if (write.path.startsWith("retired/") && existsSync(path)) continue;
    writeFileAtomic(path, write.content, write.secret ? 0o600 : 0o644);
  }
}
