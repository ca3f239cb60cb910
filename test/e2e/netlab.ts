// A small network of "hosts" for end-to-end tests: one network namespace per host, all joined by
// a bridge in a hub namespace, each with its own loopback. Only namespaces this lab created are
// touched, and they are removed again even when a test fails or the process is interrupted.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { requireTool } from "../helpers/tools.js";

const labs = new Set<NetLab>();
let hooked = false;
/** Labs alive at once (clusters started concurrently) must never share a namespace name. */
let created = 0;

function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  const cleanAll = () => {
    for (const lab of labs) lab.destroy();
  };
  process.on("exit", cleanAll);
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.on(signal, () => {
      cleanAll();
      process.exit(130);
    });
}

function ip(args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")} failed: ${r.stderr.trim()}`);
}

export interface HostProcess {
  child: ChildProcess;
  pid: number;
  output(): string;
}

export class NetLab {
  private readonly prefix: string;
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<HostProcess>();
  private hosts = 0;
  private readonly hub: string;

  constructor(label: string) {
    if (process.getuid?.() !== 0) throw new Error("the end-to-end tests create network namespaces and must run as root (CI does)");
    requireTool("ip");
    this.prefix = `eg${label}-${process.pid}-${++created}`;
    hookCleanup();
    labs.add(this);
    this.hub = this.namespace("hub");
    ip(["-n", this.hub, "link", "add", "br0", "type", "bridge"]);
    ip(["-n", this.hub, "link", "set", "br0", "up"]);
  }

  private namespace(suffix: string): string {
    const name = `${this.prefix}-${suffix}`;
    ip(["netns", "add", name]);
    this.namespaces.push(name);
    ip(["-n", name, "link", "set", "lo", "up"]);
    return name;
  }

  /** A host with these addresses ("10.0.0.11/24", "fd00::11/64") on its one interface. */
  addHost(addresses: string[]): string {
    const index = ++this.hosts;
    const ns = this.namespace(`h${index}`);
    const port = `p${index}`;
    ip(["-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns", this.hub]);
    ip(["-n", this.hub, "link", "set", port, "master", "br0", "up"]);
    for (const address of addresses) ip(["-n", ns, "addr", "add", address, "dev", "eth0", ...(address.includes(":") ? ["nodad"] : [])]);
    ip(["-n", ns, "link", "set", "eth0", "up"]);
    return ns;
  }

  run(ns: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
    const r = spawnSync("ip", ["netns", "exec", ns, command, ...args], {
      encoding: "utf8",
      cwd: options.cwd,
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 20000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /**
   * `run` without blocking the event loop: for polling while other clusters start (their output
   * is read, and their start-up continues, in the meantime).
   */
  runAsync(ns: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
    return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("ip", ["netns", "exec", ns, command, ...args], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 20000,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => (stderr += d));
      child.on("error", (e) => resolve({ code: -1, stdout, stderr: `${stderr}${e.message}` }));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
  }

  /** Starts a long-running process in a host; `ip netns exec` execs it, so the PID is its own. */
  start(ns: string, command: string, args: string[], env: NodeJS.ProcessEnv): HostProcess {
    const child = spawn("ip", ["netns", "exec", ns, command, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout?.on("data", (d) => (log += d));
    child.stderr?.on("data", (d) => (log += d));
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    const proc: HostProcess = { child, pid: child.pid, output: () => log };
    this.processes.add(proc);
    child.on("exit", () => this.processes.delete(proc));
    return proc;
  }

  /** Stops a process by its PID: SIGTERM, then SIGKILL after a grace period. */
  async stop(proc: HostProcess, graceMs = 5000): Promise<void> {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.child.once("exit", () => resolve()));
    process.kill(proc.pid, "SIGTERM");
    const timer = setTimeout(() => {
      try {
        process.kill(proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }, graceMs);
    await exited;
    clearTimeout(timer);
  }

  /** Kills every process this lab started (by PID) and removes its namespaces. Synchronous. */
  destroy(): void {
    for (const proc of this.processes) {
      try {
        process.kill(proc.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.processes.clear();
    for (const ns of this.namespaces.splice(0).reverse()) spawnSync("ip", ["netns", "del", ns]);
    labs.delete(this);
  }
}
