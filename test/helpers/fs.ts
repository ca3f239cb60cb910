// Temporary folders and tree snapshots for tests.
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export const REPO = new URL("../../../", import.meta.url).pathname;

export function tempDir(prefix = "etcdgen-test-"): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every file and folder below `root` with its mode and, for files, the sha256 of its content. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      const rel = relative(root, path);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isDirectory()) {
        out[`${rel}/`] = mode;
        walk(path);
      } else out[rel] = `${mode} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
    }
  };
  walk(root);
  return out;
}

export function listFiles(root: string): string[] {
  return Object.keys(snapshotTree(root)).filter((p) => !p.endsWith("/"));
}
