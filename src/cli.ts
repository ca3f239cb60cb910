// The command line: parses arguments, reads and writes files, prints. Everything it computes comes
// from compile.ts; main() returns an exit code and only bin.ts ends the process.
import { defineCommand, parseArgs, renderUsage, type ArgsDef, type CommandDef } from "citty";
import { readFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { buildPki, compileCluster } from "./compile.js";
import { formatDiagnostics, summarizeDiagnostics } from "./diag/format.js";
import { hasErrors, type Diagnostic } from "./diag/diagnostic.js";
import { EXAMPLE_CLUSTER } from "./init/example.js";
import { realEnv } from "./io/env.js";
import { foldersOverlap, outputDirProblem, writeOutput } from "./io/output.js";
import { loadState, saveState } from "./io/state.js";
import { adoptCa } from "./pki/adopt.js";
import { assembleOutput, MANIFEST, recordedCaSha256 } from "./targets/output.js";
import { IMPORTED_CA_MARKER, type IssuedCert } from "./pki/reconcile.js";
import { clusterSchema } from "./spec/validate.js";
import { VERSION } from "./version.js";

export const EXIT = {
  ok: 0,
  /** The cluster file has errors (or warnings under --strict). */
  invalidInput: 1,
  /** Unknown command or option, missing argument. */
  usage: 2,
  /** The state folder disagrees with the cluster file, or cannot be read. */
  stateConflict: 3,
  /** Writing the output or the state folder failed. */
  writeFailed: 4,
} as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, read whole; for `-` as the cluster file. */
  stdin?(): string;
  env: Record<string, string | undefined>;
  cwd: string;
  color: boolean;
}

class UsageError extends Error {}

/** Colour only on a terminal, and never when NO_COLOR is set to anything but "" (no-color.org). */
export function wantsColor(isTty: boolean, env: Record<string, string | undefined>): boolean {
  return isTty && !env.NO_COLOR;
}

const buildArgs = {
  cluster: { type: "positional", description: "The cluster file (TOML); - reads it from standard input", required: true, valueHint: "cluster.toml" },
  out: { type: "string", alias: "o", description: "Output folder", default: "out", valueHint: "dir" },
  state: { type: "string", description: "State folder with the CA, keys, certificates and token (default: <cluster-file-name>.pki beside the cluster file)", valueHint: "dir" },
  redact: { type: "boolean", description: "Replace every PEM block in the output with a one-line summary, for golden diffs without secrets" },
  "reissue-stale": { type: "boolean", description: "Reissue certificates that no longer match the cluster file (old ones are kept under <state>/retired/)" },
  "new-ca": { type: "boolean", description: "Replace the CA and reissue every certificate (all members must switch at once)" },
  "retire-orphans": { type: "boolean", description: "Move the state files of certificates the cluster file no longer asks for (a removed node's) under <state>/retired/" },
  strict: { type: "boolean", description: "Treat warnings as errors" },
} as const satisfies ArgsDef;

const checkArgs = {
  cluster: { type: "positional", description: "The cluster file (TOML); - reads it from standard input", required: true, valueHint: "cluster.toml" },
  strict: { type: "boolean", description: "Treat warnings as errors" },
} as const satisfies ArgsDef;

const importCaArgs = {
  cluster: { type: "positional", description: "The cluster file (TOML) whose state folder receives the CA; - reads it from standard input (then --state is needed)", required: true, valueHint: "cluster.toml" },
  cert: { type: "string", description: "The CA certificate (PEM), e.g. /etc/kubernetes/pki/etcd/ca.crt", required: true, valueHint: "file" },
  key: { type: "string", description: "The CA private key (PEM: PKCS#8, PKCS#1 or SEC1, unencrypted), e.g. /etc/kubernetes/pki/etcd/ca.key", required: true, valueHint: "file" },
  state: buildArgs.state,
} as const satisfies ArgsDef;

const commands = {
  build: defineCommand({ meta: { name: "build", description: "Compile a cluster file: create or reuse the PKI in the state folder, write the nodes' files" }, args: buildArgs }),
  check: defineCommand({ meta: { name: "check", description: "Validate a cluster file and report every problem; writes nothing" }, args: checkArgs }),
  "import-ca": defineCommand({
    meta: { name: "import-ca", description: "Adopt an existing CA (a cluster built by hand, with cfssl or by kubeadm) as the state folder's CA; later builds issue leaves under it" },
    args: importCaArgs,
  }),
  init: defineCommand({ meta: { name: "init", description: "Print a commented example cluster file: etcdgen init > cluster.toml" }, args: {} }),
  schema: defineCommand({ meta: { name: "schema", description: "Print the JSON Schema of the cluster file: etcdgen schema > cluster.schema.json" }, args: {} }),
};

const root = defineCommand({
  meta: { name: "etcdgen", version: VERSION, description: "Compile a TOML description of an etcd cluster into everything its nodes need" },
  subCommands: commands,
});

const GLOBAL_OPTIONS_HELP = `GLOBAL OPTIONS

  --help, -h     Show help (etcdgen <command> --help for a command's options)
  --version, -v  Print etcdgen's version

ENVIRONMENT

  NO_COLOR=1           no colours in diagnostics (any non-empty value)
  SOURCE_DATE_EPOCH    seconds since 1970: the clock for reproducible builds
`;

const EXIT_CODES_HELP = `EXIT CODES

  0  success
  1  the cluster file has errors (or warnings, with --strict) or cannot be read
  2  usage error: unknown command or option, missing argument
  3  the state folder disagrees with the cluster file or cannot be read
  4  writing the output or the state folder failed
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      io.stdout(`${await usage(root)}\n\n${GLOBAL_OPTIONS_HELP}\n${EXIT_CODES_HELP}`);
      return name === undefined ? EXIT.usage : EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (!(name in commands)) throw new UsageError(`unknown command "${name}"; the commands are ${Object.keys(commands).join(", ")}`);
    const command = commands[name as keyof typeof commands];
    if (rest.includes("--help") || rest.includes("-h")) {
      io.stdout(`${await usage(command, root)}\n`);
      return EXIT.ok;
    }
    switch (name) {
      case "init":
        parseStrict(rest, {});
        io.stdout(EXAMPLE_CLUSTER);
        return EXIT.ok;
      case "schema":
        parseStrict(rest, {});
        io.stdout(`${JSON.stringify(clusterSchema, null, 2)}\n`);
        return EXIT.ok;
      case "check":
        return runCheck(parseStrict(rest, checkArgs), io);
      case "build":
        return await runBuild(parseStrict(rest, buildArgs), io);
      case "import-ca":
        return await runImportCa(parseStrict(rest, importCaArgs), io);
    }
    return EXIT.usage;
  } catch (error) {
    if (error instanceof UsageError || (error as Error).name === "CLIError") {
      io.stderr(`etcdgen: ${(error as Error).message}\nRun "etcdgen ${name && name in commands ? `${name} ` : ""}--help" for usage.\n`);
      return EXIT.usage;
    }
    throw error;
  }
}

async function usage(command: CommandDef<any>, parent?: CommandDef<any>): Promise<string> {
  // citty colours unconditionally; keep plain text for pipes and files.
  return (await renderUsage(command, parent)).replace(/\u001b\[[0-9;]*m/g, "").replace(/[ \t]+$/gm, "");
}

/** citty accepts unknown options silently; a typo in a flag must not be ignored. */
function parseStrict<T extends ArgsDef>(argv: readonly string[], def: T) {
  const known = new Set<string>();
  let positionals = 0;
  for (const [key, arg] of Object.entries(def)) {
    if (arg.type === "positional") {
      positionals++;
      continue;
    }
    known.add(`--${key}`);
    if (arg.type === "boolean") known.add(`--no-${key}`);
    const aliases = "alias" in arg && arg.alias ? [arg.alias].flat() : [];
    for (const a of aliases) known.add(a.length === 1 ? `-${a}` : `--${a}`);
  }
  let seenPositionals = 0;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === "--") break;
    if (token.startsWith("-") && token !== "-") {
      const flag = token.split("=")[0]!;
      if (!known.has(flag)) throw new UsageError(`unknown option ${flag}`);
      const arg = def[flag.replace(/^--?(no-)?/, "")] ?? Object.values(def).find((d) => "alias" in d && [d.alias].flat().includes(flag.replace(/^-+/, "")));
      if (arg && arg.type === "string" && !token.includes("=")) {
        if (argv[i + 1] === undefined) throw new UsageError(`option ${flag} needs a value`);
        i++;
      }
    } else if (++seenPositionals > positionals) throw new UsageError(`unexpected argument "${token}"`);
  }
  if (seenPositionals < positionals) {
    const missing = Object.entries(def).find(([, d]) => d.type === "positional");
    throw new UsageError(`missing argument <${missing?.[1].valueHint ?? missing?.[0]}>`);
  }
  return parseArgs<T>(argv as string[], def);
}

/** A file system error in words ("no such file"), with its code. */
function fsProblem(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const words: Record<string, string> = { ENOENT: "no such file", EACCES: "permission denied", EISDIR: "it is a folder", ENOTDIR: "a part of the path is not a folder" };
  return code ? `${words[code] ?? "cannot read it"} (${code})` : (error as Error).message;
}

/** How diagnostics name the cluster file. */
function displayName(path: string): string {
  return path === "-" ? "<stdin>" : path;
}

function readClusterFile(path: string, io: CliIo): { text: string } | { code: number } {
  try {
    if (path === "-") {
      if (!io.stdin) throw new Error("no standard input");
      return { text: io.stdin() };
    }
    return { text: readFileSync(resolve(io.cwd, path), "utf8") };
  } catch (error) {
    io.stderr(
      `${displayName(path)}: error[E_FILE_UNREADABLE]: cannot read the cluster file: ${fsProblem(error)}\n` +
        `  hint: check the path (relative paths start at ${io.cwd}); etcdgen init > cluster.toml writes an example\n`,
    );
    return { code: EXIT.invalidInput };
  }
}

function report(diagnostics: readonly Diagnostic[], fileName: string, source: string | undefined, io: CliIo, strict = false): void {
  if (diagnostics.length === 0) return;
  io.stderr(formatDiagnostics(diagnostics, { fileName, source, color: io.color }));
  const failedByStrict = strict && !hasErrors(diagnostics);
  io.stderr(`${summarizeDiagnostics(diagnostics)}${failedByStrict ? " (--strict: warnings fail)" : ""}\n`);
}

function failsUnderStrict(diagnostics: readonly Diagnostic[], strict: boolean): boolean {
  return hasErrors(diagnostics) || (strict && diagnostics.length > 0);
}

function runCheck(args: { cluster: string; strict?: boolean }, io: CliIo): number {
  const file = readClusterFile(args.cluster, io);
  if ("code" in file) return file.code;
  const compiled = compileCluster(file.text);
  report(compiled.diagnostics, displayName(args.cluster), file.text, io, args.strict === true);
  if (failsUnderStrict(compiled.diagnostics, args.strict === true)) return EXIT.invalidInput;
  io.stdout(`${displayName(args.cluster)}: ok (${plural(compiled.cluster!.nodes.length, "node")})\n`);
  return EXIT.ok;
}

export function defaultStateDir(clusterFile: string): string {
  const base = basename(clusterFile).replace(/\.toml$/i, "");
  return join(dirname(clusterFile), `${base}.pki`);
}

/** The state folder, absolute: --state, else beside the cluster file (which stdin has not). */
function stateDirOf(args: { cluster: string; state?: string }, io: CliIo): string {
  if (args.cluster === "-" && args.state === undefined)
    throw new UsageError("a cluster file read from standard input has no folder for its state: pass --state DIR");
  return resolve(io.cwd, args.state ?? defaultStateDir(args.cluster));
}

async function runBuild(
  args: { cluster: string; out: string; state?: string; redact?: boolean; "reissue-stale"?: boolean; "new-ca"?: boolean; "retire-orphans"?: boolean; strict?: boolean },
  io: CliIo,
): Promise<number> {
  const stateDir = stateDirOf(args, io);
  const file = readClusterFile(args.cluster, io);
  if ("code" in file) return file.code;
  const name = displayName(args.cluster);
  const compiled = compileCluster(file.text);
  if (!compiled.cluster || failsUnderStrict(compiled.diagnostics, args.strict === true)) {
    report(compiled.diagnostics, name, file.text, io, args.strict === true);
    return EXIT.invalidInput;
  }
  const outDir = resolve(io.cwd, args.out);
  if (foldersOverlap(outDir, stateDir)) {
    io.stderr(
      `etcdgen: error[E_STATE_INSIDE_OUTPUT]: the state folder ${stateDir} and the output folder ${outDir} overlap; ` +
        "the output is replaced on every build and would take the CA key with it\n  hint: keep the state folder outside --out\n",
    );
    return EXIT.usage;
  }
  const outProblem = outputDirProblem(outDir);
  if (outProblem) {
    io.stderr(`etcdgen: error: ${outProblem}\n`);
    return EXIT.usage;
  }
  let state;
  try {
    state = loadState(stateDir);
  } catch (error) {
    report(compiled.diagnostics, name, file.text, io);
    io.stderr(`${stateDir}: error[E_STATE_UNREADABLE]: ${(error as Error).message}\n`);
    return EXIT.stateConflict;
  }
  const previous = readPreviousManifest(outDir);
  const recordedCa = previous === undefined ? undefined : recordedCaSha256(previous);
  const pki = await buildPki(
    compiled.cluster,
    state,
    realEnv(io.env.SOURCE_DATE_EPOCH),
    {
      reissueStale: args["reissue-stale"] === true,
      newCa: args["new-ca"] === true,
      retireOrphans: args["retire-orphans"] === true,
      recordedCaSha256: recordedCa,
      // Key generation is what takes time (seconds for RSA-4096): say what is being made.
      onKey: (id, done, total) => io.stderr(`etcdgen: made key ${done}/${total} for ${id}\n`),
    },
    compiled.locator,
  );
  const diagnostics = [...compiled.diagnostics, ...pki.diagnostics];
  report(diagnostics, name, file.text, io, args.strict === true);
  if (!pki.ok) return EXIT.stateConflict;
  if (failsUnderStrict(diagnostics, args.strict === true)) return EXIT.invalidInput;
  try {
    const { protectedExisting } = saveState(stateDir, pki.stateWrites, pki.stateRemovals);
    if (protectedExisting)
      io.stderr(`etcdgen: added ${displayPath(io.cwd, stateDir)}/.gitignore so that git ignores the state folder (it holds the CA key)\n`);
  } catch (error) {
    io.stderr(`etcdgen: error: writing the state folder ${stateDir} failed: ${(error as Error).message}\n`);
    return EXIT.writeFailed;
  }
  const output = assembleOutput(compiled.cluster, { token: pki.token, certs: pki.certs, redact: args.redact === true });
  try {
    writeOutput(outDir, output);
  } catch (error) {
    io.stderr(`etcdgen: error: writing ${outDir} failed: ${(error as Error).message}\n`);
    return EXIT.writeFailed;
  }
  io.stdout(describeChanges(pki.certs, recordedCa));
  for (const id of new Set(pki.stateRemovals.map((p) => p.replace(/\.(crt|key)$/, ""))))
    io.stdout(`retired ${id} (moved under ${displayPath(io.cwd, stateDir)}/retired/)\n`);
  const kept = pki.certs.filter((c) => c.action === "kept").length;
  io.stdout(
    `${name}: ${plural(compiled.cluster.nodes.length, "node")} written to ${displayPath(io.cwd, outDir)}/${args.redact ? " (redacted)" : ""}; ` +
      `${kept} of ${pki.certs.length} certificates reused from ${displayPath(io.cwd, stateDir)}\n`,
  );
  return EXIT.ok;
}

async function runImportCa(args: { cluster: string; cert: string; key: string; state?: string }, io: CliIo): Promise<number> {
  const stateDir = stateDirOf(args, io);
  const file = readClusterFile(args.cluster, io);
  if ("code" in file) return file.code;
  const compiled = compileCluster(file.text);
  if (!compiled.cluster) {
    report(compiled.diagnostics, displayName(args.cluster), file.text, io);
    return EXIT.invalidInput;
  }
  const paths = { cert: args.cert, key: args.key };
  const texts: Record<"cert" | "key", string> = { cert: "", key: "" };
  for (const which of ["cert", "key"] as const) {
    try {
      texts[which] = readFileSync(resolve(io.cwd, paths[which]), "utf8");
    } catch (error) {
      io.stderr(
        `${paths[which]}: error[E_FILE_UNREADABLE]: cannot read the CA's ${which === "cert" ? "certificate" : "key"}: ${fsProblem(error)}\n` +
          `  hint: check the path given to --${which} (relative paths start at ${io.cwd})\n`,
      );
      return EXIT.invalidInput;
    }
  }
  let state;
  try {
    state = loadState(stateDir);
  } catch (error) {
    io.stderr(`${stateDir}: error[E_STATE_UNREADABLE]: ${(error as Error).message}\n`);
    return EXIT.stateConflict;
  }
  const existing = state.pairs.get("ca");
  if (existing?.cert !== undefined || existing?.key !== undefined) {
    io.stderr(
      `${displayPath(io.cwd, stateDir)}: error[E_STATE_CA_EXISTS]: the state folder already has a CA; etcdgen never replaces a CA in place\n` +
        "  hint: import into a new --state folder, or move ca.crt and ca.key away first if this cluster really changes CA " +
        "(then build with --reissue-stale to issue every certificate under it; every member must switch)\n",
    );
    return EXIT.stateConflict;
  }
  const env = realEnv(io.env.SOURCE_DATE_EPOCH);
  const adopted = await adoptCa(texts.cert, texts.key, env.crypto, env.now());
  if (!adopted.ok) {
    for (const p of adopted.problems) io.stderr(`${paths[p.file]}: error[E_IMPORT_CA_INVALID]: ${p.message}\n  hint: ${p.hint}\n`);
    return EXIT.invalidInput;
  }
  const { ca } = adopted;
  try {
    saveState(stateDir, [
      { path: "ca.key", content: ca.keyPem, secret: true },
      { path: "ca.crt", content: ca.certPem, secret: false },
      { path: IMPORTED_CA_MARKER, content: `${ca.facts.sha256}\n`, secret: false },
    ]);
  } catch (error) {
    io.stderr(`etcdgen: error: writing the state folder ${stateDir} failed: ${(error as Error).message}\n`);
    return EXIT.writeFailed;
  }
  io.stdout(
    `adopted the CA "${ca.facts.commonName}" (${ca.facts.keyAlgorithm}, valid until ${ca.facts.notAfter.toISOString()}, SHA-256 ${ca.facts.sha256}) ` +
      `into ${displayPath(io.cwd, stateDir)}; etcdgen build ${args.cluster === "-" ? "<the cluster file>" : args.cluster}` +
      `${args.state !== undefined ? ` --state ${args.state}` : ""} now issues the members' certificates under it\n`,
  );
  return EXIT.ok;
}

function readPreviousManifest(outDir: string): string | undefined {
  try {
    return readFileSync(join(outDir, MANIFEST), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * What the build made, one line a certificate. A new CA says plainly what it means: which CA it
 * replaces (from the state folder, or the one the output folder recorded when the state was lost).
 */
function describeChanges(certs: readonly IssuedCert[], recordedCa: string | undefined): string {
  const lines: string[] = [];
  const ca = certs.find((c) => c.spec.id === "ca");
  const replaced =
    ca?.action === "reissued"
      ? `the previous one (${ca.reasons.join("; ")})`
      : ca?.action === "created" && recordedCa !== undefined && recordedCa !== ca.facts.sha256
        ? `the CA ${recordedCa} the output folder was built with`
        : undefined;
  if (ca && replaced)
    lines.push(
      `new CA ${ca.facts.sha256} replaces ${replaced}; every certificate below is now signed by the new CA, ` +
        "so every member and client must switch to the new files at once",
    );
  for (const cert of certs.filter((c) => c.action !== "kept" && !(c === ca && replaced))) {
    const why = cert.reasons.length > 0 ? ` (${cert.reasons.join("; ")})` : "";
    lines.push(`${cert.action} ${cert.spec.id}${why}`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === "" ? "." : rel.startsWith("..") ? path : rel;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
