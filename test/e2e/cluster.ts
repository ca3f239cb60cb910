// A whole cluster from an etcdgen output folder: one host per node with the node's address, a
// workstation host for the operator, every member started from its generated files.
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { suite, type Test } from "uvu";
import type { CliRun } from "../helpers/cli.js";
import { tempDir } from "../helpers/fs.js";
import { requireTool } from "../helpers/tools.js";
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

export class E2eCluster {
  readonly lab: NetLab;
  readonly members: RunningMember[] = [];
  readonly workstation: string;

  /** `workdir` holds `out/` (as `etcdgen build -o out` wrote it); members get roots below it. */
  constructor(label: string, readonly workdir: string) {
    requireTool("etcd");
    requireTool("etcdctl");
    this.lab = new NetLab(label);
    const manifest = JSON.parse(readFileSync(join(workdir, "out", "manifest.json"), "utf8")) as { nodes: ManifestNode[] };
    const v6 = manifest.nodes[0]!.ip.includes(":");
    const prefix = v6 ? "/64" : "/24";
    for (const node of manifest.nodes) {
      const ns = this.lab.addHost([`${node.ip}${prefix}`]);
      const member = prepareMember(join(workdir, "out", node.name), join(workdir, "roots", node.name));
      this.members.push({ name: node.name, ip: node.ip, ns, member, proc: undefined as unknown as HostProcess });
    }
    const first = manifest.nodes[0]!.ip;
    this.workstation = this.lab.addHost([v6 ? `${first.replace(/:[0-9a-f]*$/, ":fa")}${prefix}` : `${first.replace(/\.\d+$/, ".250")}${prefix}`]);
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

  /** Runs a shell command on the workstation, from the build folder (where out/ is). */
  workstationShell(script: string, timeoutMs = 20000) {
    return this.lab.run(this.workstation, "sh", ["-c", script], { cwd: this.workdir, timeoutMs, env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  }

  /** The admin bundle, sourced as the README says, then `etcdctl args`. */
  adminEtcdctl(args: string, endpoint?: string) {
    // etcdctl 3.4 refuses --endpoints next to ETCDCTL_ENDPOINTS, so one member is chosen by
    // overriding the variable, as the README shows.
    const pick = endpoint ? `ETCDCTL_ENDPOINTS=${endpoint} ` : "";
    return this.workstationShell(`. out/admin/etcdctl.env && ${pick}etcdctl ${args}`);
  }

  async waitHealthy(timeoutMs = 30000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < until) {
      const r = this.adminEtcdctl("endpoint health --cluster");
      if (r.code === 0) return;
      last = r.stdout + r.stderr;
      for (const m of this.members)
        if (m.proc.child.exitCode !== null) throw new Error(`etcd ${m.name} exited:\n${m.proc.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`cluster not healthy after ${timeoutMs} ms: ${last}\n${this.members.map((m) => `--- ${m.name}\n${m.proc.output().slice(-1500)}`).join("\n")}`);
  }

  endpoint(m: RunningMember): string {
    return m.member.flags["advertise-client-urls"]!.split(",")[0]!;
  }

  destroy(): void {
    this.lab.destroy();
  }
}

/**
 * A uvu suite around one running cluster: `build` writes out/ into the work folder, the members
 * start before the first test and are stopped, with their namespaces, after the last.
 */
export function clusterSuite(title: string, label: string, build: (workdir: string) => Promise<CliRun>): { test: Test; cluster: () => E2eCluster; workdir: string } {
  const test = suite(title);
  const work = tempDir("etcdgen-e2e-");
  let cluster: E2eCluster | undefined;
  test.before(async () => {
    const r = await build(work.path);
    if (r.code !== 0) throw new Error(r.stderr);
    cluster = new E2eCluster(label, work.path);
    cluster.startAll();
    await cluster.waitHealthy();
  });
  test.after(() => {
    cluster?.destroy();
    work.remove();
  });
  return { test, cluster: () => cluster!, workdir: work.path };
}
