// systemd mode, end to end: a 3-member cluster of real etcd processes, each in its own network
// namespace with its node's address, started from exactly the files etcdgen wrote; one suite per
// tested etcd version, the home-lab fixture rendered for it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as assert from "uvu/assert";
import { tempDir } from "../helpers/fs.js";
import { buildFixture, fixtureBuilder } from "../helpers/fixtures.js";
import { clusterSuites } from "./cluster.js";
import { mapUnder, parseExportFile } from "./member.js";

for (const { test, cluster: c } of clusterSuites("systemd mode, 3 members", "s", fixtureBuilder("homelab"))) {
  test("the admin bundle reaches every member: endpoint health --cluster", () => {
    const r = c().adminEtcdctl("endpoint health --cluster");
    assert.is(r.code, 0, r.stderr);
    for (const ip of ["10.0.0.11", "10.0.0.12", "10.0.0.13"]) assert.match(r.stdout + r.stderr, `https://${ip}:2379 is healthy`);
  });

  test("member list shows three started members", () => {
    const r = c().adminEtcdctl("member list -w json");
    assert.is(r.code, 0, r.stderr);
    const members = (JSON.parse(r.stdout) as { members: { name: string; clientURLs?: string[]; peerURLs: string[] }[] }).members;
    assert.equal(members.map((m) => m.name).sort(), ["etcd-1", "etcd-2", "etcd-3"]);
    for (const m of members) {
      assert.ok((m.clientURLs ?? []).length > 0, `${m.name} started`);
      assert.match(m.peerURLs[0]!, /^https:\/\/10\.0\.0\.1[1-3]:2380$/);
    }
  });

  test("a put on one member is read back from another", () => {
    const [one, , three] = c().members;
    assert.is(c().adminEtcdctl(`put greeting hello`, c().endpoint(one!)).code, 0);
    const r = c().adminEtcdctl(`get greeting --print-value-only`, c().endpoint(three!));
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim(), "hello");
  });

  test("etcdctl on a node works with the node's own env file", () => {
    const node = c().members[1]!;
    const env = parseExportFile(readFileSync(join(node.member.root, "etc/etcd/etcdctl.env"), "utf8"));
    const mapped = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, mapUnder(node.member.root, v)]));
    const r = c().etcdctlOn(node, ["member", "list"], mapped);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout.trim().split("\n").length, 3);
    // The profile.d snippet loads that file.
    assert.match(readFileSync(join(node.member.root, "etc/profile.d/etcdctl.sh"), "utf8"), ". /etc/etcd/etcdctl.env");
  });

  // A member answers an authorised get in milliseconds: these timeouts only bound a refusal, and
  // the first test shows they are long enough for an answer.
  const QUICK = "--dial-timeout 1s --command-timeout 2s";

  /** The member's own account of the refusal: "rejected connection" with the TLS error. */
  async function rejectedBy(member: number, error: RegExp): Promise<boolean> {
    const m = c().members[member]!;
    return (await c().warnings()).some((e) => e.member === m.name && /^rejected connection/.test(e.msg) && error.test(String(e.error)));
  }

  test("a client without a certificate is refused (with one, the same command answers)", async () => {
    const ok = c().workstationShell(`etcdctl --endpoints https://10.0.0.11:2379 --cacert out/admin/ca.crt --cert out/admin/admin.crt --key out/admin/admin.key ${QUICK} get greeting`);
    assert.is(ok.code, 0, ok.stderr);
    const r = c().workstationShell(`etcdctl --endpoints https://10.0.0.11:2379 --cacert out/admin/ca.crt ${QUICK} get greeting`);
    assert.is.not(r.code, 0);
    assert.not.match(r.stdout, "hello");
    assert.ok(await rejectedBy(0, /didn't provide a certificate/), "etcd-1 logs the refusal");
  });

  test("a client whose certificate comes from another CA is refused", async () => {
    const other = tempDir("etcdgen-e2e-other-");
    try {
      const built = await buildFixture("homelab", other.path, join(other.path, "state"));
      assert.is(built.code, 0);
      const r = c().workstationShell(
        `etcdctl --endpoints https://10.0.0.11:2379 --cacert out/admin/ca.crt --cert ${other.path}/out/admin/admin.crt --key ${other.path}/out/admin/admin.key ${QUICK} get greeting`,
      );
      assert.is.not(r.code, 0);
      assert.not.match(r.stdout, "hello");
      assert.ok(await rejectedBy(0, /unknown authority/), "etcd-1 logs the refusal");
    } finally {
      other.remove();
    }
  });

  test("plain http to the client port is refused", async () => {
    const r = c().workstationShell(`etcdctl --endpoints http://10.0.0.11:2379 ${QUICK} get greeting`);
    assert.is.not(r.code, 0);
    assert.not.match(r.stdout, "hello");
    assert.ok(await rejectedBy(0, /does not look like a TLS handshake/), "etcd-1 logs the refusal");
  });

  test("one member down: the other two serve reads and writes; back up, it catches up", async () => {
    const [one, two, three] = c().members;
    await c().stopMember(three!);
    const put = c().adminEtcdctl(`put while-down yes`, c().endpoint(one!));
    assert.is(put.code, 0, put.stderr);
    const get = c().adminEtcdctl(`get while-down --print-value-only`, c().endpoint(two!));
    assert.is(get.stdout.trim(), "yes");
    c().startMember(three!);
    // A serializable read answers from the member's own copy: it has caught up when it says "yes".
    const until = Date.now() + 20000;
    let value = "";
    while (Date.now() < until) {
      const r = c().adminEtcdctl(`get while-down --print-value-only --consistency=s`, c().endpoint(three!));
      value = r.stdout.trim();
      if (value === "yes") break;
      await new Promise((res) => setTimeout(res, 500));
    }
    assert.is(value, "yes", three!.proc.output().slice(-2000));
    await c().waitHealthy();
  });

  test.run();
}
