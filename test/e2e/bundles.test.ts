// The workstation bundles against real etcd: the admin bundle and every [[clients]] bundle work
// from any folder and after being copied elsewhere — the etcdctl script in any shell, the env file
// sourced in bash and zsh — and POSIX sh, which cannot locate a sourced file, is told so.
import { cpSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { fixtureBuilder } from "../helpers/fixtures.js";
import { requireTool } from "../helpers/tools.js";
import { clusterSuites } from "./cluster.js";

for (const { test, cluster: c, workdir } of clusterSuites("workstation bundles", "b", fixtureBuilder("homelab"))) {
  const out = () => join(workdir(), "out");

  test("the admin etcdctl script, run by sh from another folder, reaches every member", () => {
    const r = c().workstationShell(`cd / && sh -c '${out()}/admin/etcdctl endpoint health --cluster'`);
    assert.is(r.code, 0, r.stderr);
    assert.is((r.stdout + r.stderr).match(/is healthy/g)?.length, 3);
  });

  test("the bundle still works once copied elsewhere", () => {
    const moved = join(workdir(), "elsewhere", "bundle");
    cpSync(join(out(), "admin"), moved, { recursive: true });
    const r = c().workstationShell(`cd / && ${moved}/etcdctl put moved yes && ${moved}/etcdctl get moved --print-value-only`);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim().split("\n").pop(), "yes");
  });

  test("--endpoints picks one member, even with ETCDCTL_ENDPOINTS in the environment", () => {
    const r = c().workstationShell(`ETCDCTL_ENDPOINTS=https://10.0.0.11:2379 ${out()}/admin/etcdctl --endpoints=https://10.0.0.13:2379 endpoint status -w json`);
    assert.is(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout) as { Endpoint: string }[];
    assert.equal(status.map((s) => s.Endpoint), ["https://10.0.0.13:2379"]);
  });

  test("the env file, sourced in bash from another folder, sets absolute paths that work", () => {
    const r = c().workstationShell(`cd / && . ${out()}/admin/etcdctl.env && echo "$ETCDCTL_CERT" && etcdctl endpoint health --cluster`);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.split("\n")[0], `${out()}/admin/admin.crt`);
  });

  test("the env file, sourced in zsh, works too", () => {
    requireTool("zsh");
    const r = c().workstationShell(`cd / && zsh -c '. ${out()}/admin/etcdctl.env && etcdctl get moved --print-value-only'`);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim(), "yes");
  });

  test("POSIX sh cannot locate a sourced file: the env file says so, returns 1 and sets nothing", () => {
    const r = c().workstationShell(`cd / && sh -c '. ${out()}/admin/etcdctl.env; echo "status=$? cert=\${ETCDCTL_CERT:-unset}"'`);
    assert.match(r.stdout, "status=1 cert=unset");
    assert.match(r.stderr, "source it from bash or zsh, or run the etcdctl script");
  });

  test("the etcdctl script on PATH, called through a link, with CDPATH set, runs the real etcdctl", () => {
    const bin = join(workdir(), "bin");
    const r = c().workstationShell(
      `mkdir -p ${bin} && ln -sf ${out()}/admin/etcdctl ${bin}/etcd-lab && export CDPATH=.:/ && cd / && ` +
        `PATH=${out()}/admin:$PATH timeout 20 ${bin}/etcd-lab get moved --print-value-only 2>&1; echo "status=$?"; ` +
        `PATH=${out()}/admin:$PATH timeout 20 etcdctl endpoint health 2>&1 | head -1`,
    );
    const [value, status, health] = r.stdout.trim().split("\n");
    assert.is(value, "yes", r.stdout + r.stderr);
    assert.is(status, "status=0");
    assert.match(health!, "is healthy");
  });

  test("flags given to the etcdctl script win over its variables: another client's certificate", () => {
    const prometheus = `${out()}/clients/prometheus`;
    const r = c().workstationShell(`${out()}/admin/etcdctl --cert=${prometheus}/prometheus.crt --key ${prometheus}/prometheus.key put flagged yes`);
    assert.is(r.code, 0, r.stderr);
  });

  test("the env file, sourced in bash with CDPATH set, still names files, not folders", () => {
    const r = c().workstationShell(`export CDPATH=.:${workdir()} && cd / && . ${out()}/admin/etcdctl.env && printf '%s|' "$ETCDCTL_CACERT" "$ETCDCTL_KEY"`);
    assert.is(r.stdout, `${out()}/admin/ca.crt|${out()}/admin/admin.key|`, r.stderr);
  });

  test("each [[clients]] bundle authenticates with its own certificate", () => {
    for (const client of ["prometheus", "apiserver-etcd-client"]) {
      const r = c().workstationShell(`cd / && ${out()}/clients/${client}/etcdctl endpoint health --cluster`);
      assert.is(r.code, 0, `${client}: ${r.stderr}`);
      const put = c().workstationShell(`${out()}/clients/${client}/etcdctl put from-${client} ok && ${out()}/admin/etcdctl get from-${client} --print-value-only`);
      assert.is(put.stdout.trim().split("\n").pop(), "ok", put.stderr);
    }
  });

  test.run();
}
