// Writes the output folder as a whole: the new tree is built beside it and swapped in, so a failed
// build never leaves half an output. A folder etcdgen did not write is never touched.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, resolve, sep } from "node:path";
import { MANIFEST, type OutputFile } from "../targets/output.js";
import { writeFileAtomic } from "./files.js";

/** Why `dir` may not be replaced, or undefined when it may. */
export function outputDirProblem(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  if (!statSync(dir).isDirectory()) return `${dir} exists and is not a folder`;
  if (readdirSync(dir).length === 0 || writtenByEtcdgen(join(dir, MANIFEST))) return undefined;
  return `${dir} holds files etcdgen did not write (it has no ${MANIFEST} of etcdgen's); choose another --out or empty it`;
}

function writtenByEtcdgen(manifest: string): boolean {
  try {
    const generator = (JSON.parse(readFileSync(manifest, "utf8")) as { generator?: unknown }).generator;
    return typeof generator === "string" && generator.startsWith("etcdgen ");
  } catch {
    return false;
  }
}

/** True when one folder is the other or lies inside it (after following links). */
export function foldersOverlap(a: string, b: string): boolean {
  const real = (p: string) => {
    // The deepest existing ancestor decides where a path that does not exist yet will be.
    let existing = resolve(p);
    const rest: string[] = [];
    while (!existsSync(existing)) {
      rest.unshift(basename(existing));
      existing = dirname(existing);
    }
    return join(realpathSync(existing), ...rest);
  };
  const [x, y] = [real(a), real(b)];
  const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
  return inside(x, y) || inside(y, x);
}

export function writeOutput(dir: string, files: readonly OutputFile[]): void {
  const problem = outputDirProblem(dir);
  if (problem) throw new Error(problem);
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}`;
  const staging = join(parent, `.${basename(dir)}.new-${suffix}`);
  const previous = join(parent, `.${basename(dir)}.old-${suffix}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    for (const file of files) writeFileAtomic(join(staging, ...file.path.split("/")), file.content, file.mode);
    if (existsSync(dir)) renameSync(dir, previous);
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(dir) && existsSync(previous)) renameSync(previous, dir);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
}
