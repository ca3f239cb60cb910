// Guests for the boot test: one systemd-nspawn container per node, each booting Debian from its
// own overlay of the root filesystem with the node's NoCloud seed, all on one bridge inside a
// network namespace this process creates. Everything is torn down by what was started: the
// containers by their PIDs, the overlays by their mount points, the namespace by its name.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

function run(cmd: string, args: string[], timeoutMs = 30000) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

function must(cmd: string, args: string[]): string {
  const r = run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

export interface GuestSpec {
  name: string;
  /** With prefix: "10.0.0.11/24". */
  address: string;
  userData: string;
  metaData: string;
}

export class Guest {
  process: ChildProcess | undefined;
  console = "";
  bootStarted = 0;

  constructor(
    readonly spec: GuestSpec,
    readonly dir: string,
  ) {}

  get merged(): string {
    return join(this.dir, "merged");
  }

  /** The container's init, as the host sees it: nspawn's child named systemd. */
  leader(): number | undefined {
    const pid = this.process?.pid;
    if (!pid) return undefined;
    const children = run("pgrep", ["-P", String(pid)]).stdout.split(/\s+/).filter(Boolean);
    for (const child of children) {
      try {
        if (readFileSync(`/proc/${child}/comm`, "utf8").trim() === "systemd") return Number(child);
      } catch {
        // gone
      }
    }
    return undefined;
  }

  /** Runs a command inside the guest (all its namespaces). */
  exec(command: string[], timeoutMs = 30000) {
    const leader = this.leader();
    if (!leader) return { code: -1, stdout: "", stderr: "the guest is not running" };
    return run("nsenter", ["-t", String(leader), "-m", "-u", "-i", "-n", "-p", "--", ...command], timeoutMs);
  }
}

export class BootLab {
  readonly netns: string;
  readonly guests: Guest[] = [];
  private readonly mounts: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private destroyed = false;

  constructor(
    readonly workDir: string,
    readonly rootfs: string,
    /** The host's own address on the bridge, with prefix: "10.0.0.1/24". */
    readonly hostAddress: string,
  ) {
    this.netns = `egboot${process.pid % 100000}`;
    mkdirSync(workDir, { recursive: true });
    must("ip", ["netns", "add", this.netns]);
    must("ip", ["-n", this.netns, "link", "set", "lo", "up"]);
    must("ip", ["-n", this.netns, "link", "add", "br0", "type", "bridge"]);
    must("ip", ["-n", this.netns, "addr", "add", hostAddress, "dev", "br0", ...(hostAddress.includes(":") ? ["nodad"] : [])]);
    must("ip", ["-n", this.netns, "link", "set", "br0", "up"]);
  }

  addGuest(spec: GuestSpec): Guest {
    const dir = join(this.workDir, spec.name);
    for (const sub of ["upper", "work", "merged"]) mkdirSync(join(dir, sub), { recursive: true });
    must("mount", ["-t", "overlay", "overlay", "-o", `lowerdir=${this.rootfs},upperdir=${join(dir, "upper")},workdir=${join(dir, "work")}`, join(dir, "merged")]);
    this.mounts.push(join(dir, "merged"));
    const seed = join(dir, "merged", "var/lib/cloud/seed/nocloud");
    mkdirSync(seed, { recursive: true });
    writeFileSync(join(seed, "user-data"), spec.userData);
    writeFileSync(join(seed, "meta-data"), spec.metaData);
    // The hypervisor's part: the node's address on its one interface (nspawn names it host0).
    writeFileSync(join(seed, "network-config"), `version: 2\nethernets:\n  host0:\n    addresses: [${spec.address}]\n`);
    const guest = new Guest(spec, dir);
    this.guests.push(guest);
    return guest;
  }

  boot(guest: Guest): void {
    // No system bus on this host: --register=no --keep-unit. nsenter --net rather than
    // `ip netns exec`, which would remount /sys and hide the cgroup mounts.
    const machine = `eg-${guest.spec.name.split(".")[0]}`.slice(0, 60);
    const child = spawn(
      "nsenter",
      [
        `--net=/run/netns/${this.netns}`,
        "systemd-nspawn",
        "--boot",
        "--quiet",
        `--directory=${guest.merged}`,
        `--machine=${machine}`,
        "--register=no",
        "--keep-unit",
        "--network-bridge=br0",
        "--console=read-only",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (d) => (guest.console += d));
    child.stderr?.on("data", (d) => (guest.console += d));
    guest.process = child;
    guest.bootStarted = Date.now();
    this.processes.push(child);
  }

  /** A command in the lab's namespace (where the bridge and the host address are). */
  run(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}) {
    const r = spawnSync("ip", ["netns", "exec", this.netns, command, ...args], {
      encoding: "utf8",
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 30000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  }

  /** A long-running helper (the tarball server) in the lab's namespace. */
  start(command: string, args: string[]): ChildProcess {
    const child = spawn("ip", ["netns", "exec", this.netns, command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.processes.push(child);
    return child;
  }

  /** Stops every process it started (by PID), unmounts, removes the namespace. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
    for (const c of this.processes) if (alive(c) && c.pid) process.kill(c.pid, "SIGTERM");
    const until = Date.now() + 15000;
    while (Date.now() < until && this.processes.some(alive)) await new Promise((r) => setTimeout(r, 200));
    for (const c of this.processes) if (alive(c) && c.pid) process.kill(c.pid, "SIGKILL");
    this.destroySync();
  }

  /** The part of teardown that can run in an exit handler. */
  destroySync(): void {
    for (const c of this.processes) {
      try {
        if (c.pid && c.exitCode === null && c.signalCode === null) process.kill(c.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const mount of this.mounts.splice(0)) {
      if (run("umount", [mount]).code !== 0) run("umount", ["-l", mount]);
    }
    run("ip", ["netns", "del", this.netns]);
    if (existsSync(this.workDir)) rmSync(this.workDir, { recursive: true, force: true });
  }
}
