// A whole cluster from an etcdgen output folder: one host per node with the node's address, a
// workstation host for the operator, every member started from its generated files with the etcd
// installation the output was rendered for.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { suite, type Test } from "uvu";
import type { CliRun } from "../helpers/cli.js";
import { etcdInstall, etcdTitle, TESTED_MINORS, type EtcdInstall, type TestedMinor } from "../helpers/etcd-versions.js";
import { tempDir } from "../helpers/fs.js";
import { NetLab, type HostProcess } from "./netlab.js";
import { prepareMember, startMember, type MemberRoot } from "./member.js";

export interface ManifestNode {
  name: string;
  ip: string;
}

export interface RunningMember {
  name: string;
  ip: string;
  ns: string;
  member: MemberRoot;
  proc: HostProcess;
}

/** One entry of etcd's JSON log (zap: etcd 3.5, and 3.4 with --logger=zap). */
export interface LogEntry {
  level: string;
  msg: string;
  [field: string]: unknown;
}

const CAPNSLOG_LEVELS: Record<string, string> = { C: "critical", E: "error", W: "warn", N: "info", I: "info", D: "debug", T: "debug" };

export class E2eCluster {
  readonly lab: NetLab;
  readonly members: RunningMember[] = [];
  readonly workstation: string;
  /** The workstation's address: where the tests' etcdctl connects from. */
  readonly workstationIp: string;

  /** `workdir` holds `out/` (as `etcdgen build -o out` wrote it); members get roots below it. */
  constructor(
    label: string,
    readonly workdir: string,
    readonly etcd: EtcdInstall,
  ) {
    this.lab = new NetLab(`${label}${etcd.label}`);
    try {
      const manifest = JSON.parse(readFileSync(join(workdir, "out", "manifest.json"), "utf8")) as { nodes: ManifestNode[] };
      const v6 = manifest.nodes[0]!.ip.includes(":");
      const prefix = v6 ? "/64" : "/24";
      for (const node of manifest.nodes) {
        const ns = this.lab.addHost([`${node.ip}${prefix}`]);
        const member = prepareMember(join(workdir, "out", node.name), join(workdir, "roots", node.name), etcd);
        this.members.push({ name: node.name, ip: node.ip, ns, member, proc: undefined as unknown as HostProcess });
      }
      const first = manifest.nodes[0]!.ip;
      this.workstationIp = v6 ? first.replace(/:[0-9a-f]*$/, ":fa") : first.replace(/\.\d+$/, ".250");
      this.workstation = this.lab.addHost([`${this.workstationIp}${prefix}`]);
    } catch (e) {
      this.lab.destroy();
      throw e;
    }
  }

  startAll(): void {
    for (const m of this.members) this.startMember(m);
  }

  startMember(m: RunningMember): void {
    m.proc = startMember(this.lab, m.ns, m.member);
  }

  async stopMember(m: RunningMember): Promise<void> {
    await this.lab.stop(m.proc);
  }

  /** Runs a bash command on the workstation, from the build folder (where out/ is), with this
   * cluster's etcdctl first on the PATH. bash: the admin env file is written for bash and zsh. */
  workstationShell(script: string, timeoutMs = 20000) {
    return this.lab.run(this.workstation, "bash", ["-c", script], { cwd: this.workdir, timeoutMs, env: { PATH: this.etcd.path } });
  }

  /** The admin bundle, sourced as the README says, then `etcdctl args`. */
  adminEtcdctl(args: string, endpoint?: string) {
    // etcdctl refuses --endpoints next to ETCDCTL_ENDPOINTS, so one member is chosen by
    // overriding the variable, as the README shows.
    const pick = endpoint ? `ETCDCTL_ENDPOINTS=${endpoint} ` : "";
    return this.workstationShell(`. out/admin/etcdctl.env && ${pick}etcdctl ${args}`);
  }

  /** etcdctl on a member's host with the given environment (e.g. the node's env file). */
  etcdctlOn(m: RunningMember, args: string[], env: Record<string, string>) {
    return this.lab.run(m.ns, this.etcd.etcdctl, args, { env: { PATH: this.etcd.path, ...env } });
  }

  async waitHealthy(timeoutMs = 30000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      const r = await this.lab.runAsync(this.workstation, "bash", ["-c", ". out/admin/etcdctl.env && etcdctl endpoint health --cluster"], {
        cwd: this.workdir,
        env: { PATH: this.etcd.path },
      });
      if (r.code === 0) return;
      last = r.stdout + r.stderr;
      for (const m of this.members)
        if (m.proc.child.exitCode !== null) throw new Error(`etcd ${this.etcd.version} ${m.name} exited:\n${m.proc.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(
      `etcd ${this.etcd.version} cluster not healthy after ${timeoutMs} ms: ${last}\n${this.members.map((m) => `--- ${m.name}\n${m.proc.output().slice(-1500)}`).join("\n")}`,
    );
  }

  endpoint(m: RunningMember): string {
    return m.member.flags["advertise-client-urls"]!.split(",")[0]!;
  }

  /**
   * What a member has logged so far, as entries: zap's JSON lines, and capnslog's text lines (etcd
   * 3.4 reports the environment variables it read that way, before --logger=zap takes over). Any
   * other line becomes level "text".
   */
  log(m: RunningMember): LogEntry[] {
    return m.proc
      .output()
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          const entry = JSON.parse(line) as LogEntry;
          if (typeof entry.level === "string" && typeof entry.msg === "string") return entry;
        } catch {
          // not JSON
        }
        const capnslog = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ ([CEWNIDT]) \| (.*)$/.exec(line);
        if (capnslog) return { level: CAPNSLOG_LEVELS[capnslog[1]!]!, msg: capnslog[2]! };
        return { level: "text", msg: line };
      });
  }

  /**
   * Every entry above info (and every line that is not JSON) the members have logged so far. The
   * tests' synchronous commands block the event loop, so their output is read in first: until it
   * stops growing.
   */
  async warnings(): Promise<(LogEntry & { member: string })[]> {
    let size = -1;
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      const now = this.members.reduce((n, m) => n + m.proc.output().length, 0);
      if (now === size) break;
      size = now;
    }
    return this.members.flatMap((m) => this.log(m).filter((e) => e.level !== "info" && e.level !== "debug").map((e) => ({ ...e, member: m.name })));
  }

  destroy(): void {
    this.lab.destroy();
  }
}

/** Builds out/ into a fresh work folder and starts a healthy cluster from it. */
export async function bootCluster(label: string, etcd: EtcdInstall, build: (workdir: string) => Promise<CliRun>): Promise<{ cluster: E2eCluster; work: { path: string; remove(): void } }> {
  const work = tempDir("etcdgen-e2e-");
  let cluster: E2eCluster | undefined;
  try {
    const r = await build(work.path);
    if (r.code !== 0) throw new Error(`etcdgen build failed (exit ${r.code}):\n${r.stderr}`);
    cluster = new E2eCluster(label, work.path, etcd);
    cluster.startAll();
    await cluster.waitHealthy();
    return { cluster, work };
  } catch (e) {
    cluster?.destroy();
    work.remove();
    throw e;
  }
}

export interface ClusterSuite {
  test: Test;
  minor: TestedMinor;
  cluster(): E2eCluster;
  etcd(): EtcdInstall;
  workdir(): string;
}

/**
 * One uvu suite per tested etcd version around one running cluster each, titled with the version.
 * `build` writes out/ into the work folder for that version. All the suites' clusters start
 * together when the first suite begins (each in its own namespaces), so their start-ups overlap;
 * each is stopped, with its namespaces, after its suite's last test. A cluster that fails to start
 * fails every test of its suite with the reason (uvu would swallow an error thrown by `before`).
 */
export function clusterSuites(title: string, label: string, build: (workdir: string, etcd: EtcdInstall) => Promise<CliRun>): ClusterSuite[] {
  type Booted = Awaited<ReturnType<typeof bootCluster>>;
  let boots: Map<TestedMinor, Promise<Booted>> | undefined;
  const startAll = () =>
    (boots ??= new Map(
      TESTED_MINORS.map((minor) => {
        const booting = (async () => {
          const etcd = etcdInstall(minor);
          return bootCluster(label, etcd, (dir) => build(dir, etcd));
        })();
        booting.catch(() => undefined); // reported by the suite's tests
        return [minor, booting] as const;
      }),
    ));
  return TESTED_MINORS.map((minor) => {
    const test = suite(`${title} :: ${etcdTitle(minor)}`);
    let booted: Booted | undefined;
    let failure: unknown;
    test.before(async () => {
      try {
        booted = await startAll().get(minor)!;
      } catch (e) {
        failure = e;
      }
    });
    test.before.each(() => {
      if (failure) throw failure;
    });
    test.after(() => {
      booted?.cluster.destroy();
      booted?.work.remove();
    });
    return {
      test,
      minor,
      cluster: () => booted!.cluster,
      etcd: () => booted!.cluster.etcd,
      workdir: () => booted!.work.path,
    };
  });
}

/**
 * Runs `tasks` with at most `limit` of them under way, in order, each task's result handed out
 * on request. A slot is held from a task's start until `release(i)`: the caller's test releases
 * it when done with the result (a running cluster), so at most `limit` clusters are alive.
 */
export function pipeline<T>(tasks: (() => Promise<T>)[], limit: number): { get(i: number): Promise<T>; release(i: number): void } {
  const results: Promise<T>[] = [];
  const releases: (() => void)[] = [];
  const released: Promise<void>[] = tasks.map((_, i) => new Promise<void>((resolve) => (releases[i] = resolve)));
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    tasks.forEach((task, i) => {
      // Task i waits for task i-limit's slot to be released.
      const slot = i >= limit ? released[i - limit]! : Promise.resolve();
      const result = slot.then(task);
      result.catch(() => undefined); // reported by get()
      results[i] = result;
    });
  };
  return {
    get: (i) => {
      start();
      // Tests run in order: every earlier one is done (or was not run, and never will release).
      for (let k = 0; k < i; k++) releases[k]!();
      return results[i]!;
    },
    release: (i) => releases[i]!(),
  };
}
