// Every fixture's output forms a healthy cluster of real etcd processes (IPv6, single-member and
// kubeadm mode included), reached from a workstation with the admin bundle, on every tested etcd
// version: each fixture is rendered for that version's exact release and run with its binaries.
// Nothing etcd warns about at start-up is left unexplained (see ./startup-warnings.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { etcdInstall, etcdTitle, TESTED_MINORS } from "../helpers/etcd-versions.js";
import { fixtureBuilder, fixtureNames } from "../helpers/fixtures.js";
import { bootCluster, pipeline } from "./cluster.js";
import { unexplainedWarnings } from "./startup-warnings.js";

// Clusters start ahead of their test, a few at a time (each in its own namespaces), so one
// cluster's start-up overlaps another's checks; at most CONCURRENT are alive at once.
const CONCURRENT = 4;

const cases = fixtureNames().flatMap((name) => {
  const build = fixtureBuilder(name);
  return TESTED_MINORS.map((minor) => ({ name, minor, build }));
});
const boots = pipeline(
  cases.map(({ minor, build }) => async () => {
    const etcd = etcdInstall(minor);
    return bootCluster("f", etcd, (dir) => build(dir, etcd));
  }),
  CONCURRENT,
);

cases.forEach(({ name, minor }, i) => {
  test(`fixture cluster :: ${name} :: ${etcdTitle(minor)} :: healthy, put on the first member, get from the last, no unexplained warning`, async () => {
    try {
      const { cluster, work } = await boots.get(i);
      try {
        const first = cluster.members[0]!;
        const last = cluster.members[cluster.members.length - 1]!;
        assert.is(cluster.adminEtcdctl("put fixture ok", cluster.endpoint(first)).code, 0);
        const got = cluster.adminEtcdctl("get fixture --print-value-only", cluster.endpoint(last));
        assert.is(got.stdout.trim(), "ok", got.stderr);
        const list = cluster.adminEtcdctl("member list -w json");
        assert.is((JSON.parse(list.stdout) as { members: unknown[] }).members.length, cluster.members.length);
        // The admin's etcdctl is the version under test.
        const version = cluster.adminEtcdctl("version");
        assert.match(version.stdout, `etcdctl version: ${cluster.etcd.version}`);
        const warnings = await unexplainedWarnings(cluster);
        assert.equal(warnings, [], `etcd ${cluster.etcd.version} warned:\n${warnings.join("\n")}`);
      } finally {
        cluster.destroy();
        work.remove();
      }
    } finally {
      boots.release(i);
    }
  });
});

test.run();
