// The state folder on disk: loading it into a PkiState, and applying the writes reconcile decided.
import { byText } from "../order.js";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { IMPORTED_CA_MARKER, type PkiState, type StateWrite } from "../pki/reconcile.js";
import { writeFileAtomic } from "./files.js";

const PAIR_FILE = /\.(crt|key)$/;

const GITIGNORE = "# The CA key and every private key of the cluster: never commit this folder.\n*\n";

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
  const token = readOptional(join(dir, "token"));
  const importedCaSha256 = readOptional(join(dir, IMPORTED_CA_MARKER))?.split("\n")[0];
  return { token, pairs, importedCaSha256 };
}

function readOptional(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8").trim() || undefined : undefined;
}

/** The folder, 0700, with a .gitignore that keeps all of it out of git; true when that was added. */
function protectStateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const ignore = join(dir, ".gitignore");
  if (existsSync(ignore)) return false;
  writeFileAtomic(ignore, GITIGNORE, 0o644);
  return true;
}

/**
 * Writes the changes; a retired copy that is already there is left as it is. Every successful
 * build passes here: a folder made before etcdgen protected its state folders is protected now
 * (0700, and a .gitignore). Returns whether an existing folder lacked that .gitignore.
 */
export function saveState(dir: string, writes: readonly StateWrite[], removals: readonly string[] = []): { protectedExisting: boolean } {
  const existed = existsSync(dir);
  if (writes.length === 0 && removals.length === 0 && !existed) return { protectedExisting: false };
  // The folder holds the CA key: only its owner may enter it.
  const gitignoreAdded = protectStateDir(dir);
  for (const write of writes) {
    const path = join(dir, ...write.path.split("/"));
    if (write.path.startsWith("retired/") && existsSync(path)) {
      // Already retired by an earlier run that stopped half-way: the same bytes, or a conflict
      // that must stop before anything is removed.
      if (readFileSync(path, "utf8") === write.content) continue;
      throw new Error(`${path} already exists with other content; move it away and build again`);
    }
    writeFileAtomic(path, write.content, write.secret ? 0o600 : 0o644);
  }
  // Only after their retired copies are safely written.
  for (const removal of removals) rmSync(join(dir, ...removal.split("/")), { force: true });
  return { protectedExisting: existed && gitignoreAdded };
}
