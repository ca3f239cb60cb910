// The real components the tests run against. A missing one fails the test with the command that
// installs it; nothing is skipped silently.
import { execFileSync, spawnSync } from "node:child_process";

// Every one of them is installed by `sudo make test-deps` (scripts/install-test-deps).
const INSTALL: Record<string, string> = {
  openssl: "apt-get install -y openssl",
  etcd: "apt-get install -y etcd-server",
  etcdctl: "apt-get install -y etcd-client",
  "cloud-init": "apt-get install -y cloud-init",
  "systemd-analyze": "apt-get install -y systemd",
  ip: "apt-get install -y iproute2",
  cfssl: "apt-get install -y golang-cfssl",
  cfssljson: "apt-get install -y golang-cfssl",
};

export function requireTool(name: string): string {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  if (found.status !== 0 || !found.stdout.trim())
    throw new Error(`${name} is not installed; this test runs the real one. Install it: ${INSTALL[name] ?? name}, or everything the tests need: sudo make test-deps`);
  return found.stdout.trim();
}

export function run(cmd: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", input: options.input, cwd: options.cwd, env: options.env ?? process.env });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", error: r.error };
}

export function openssl(args: string[], input?: string): string {
  requireTool("openssl");
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
}
