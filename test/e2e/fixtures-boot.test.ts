// Every fixture's output forms a healthy cluster of real etcd processes (IPv6, single-member and
// kubeadm mode included), reached from a workstation with the admin bundle. Each is rendered for
// the etcd this machine has (see buildFixtureForLocalEtcd).
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { tempDir } from "../helpers/fs.js";
import { buildFixtureForLocalEtcd, fixtureNames } from "../helpers/fixtures.js";
import { E2eCluster } from "./cluster.js";

for (const name of fixtureNames()) {
  test(`fixture cluster :: ${name} :: healthy, put on the first member, get from the last`, async () => {
    const work = tempDir("etcdgen-e2e-");
    let cluster: E2eCluster | undefined;
    try {
      const r = await buildFixtureForLocalEtcd(name, work.path, join(work.path, "state"));
      assert.is(r.code, 0, r.stderr);
      cluster = new E2eCluster("f", work.path);
      cluster.startAll();
      await cluster.waitHealthy();
      const first = cluster.members[0]!;
      const last = cluster.members[cluster.members.length - 1]!;
      assert.is(cluster.adminEtcdctl("put fixture ok", cluster.endpoint(first)).code, 0);
      const got = cluster.adminEtcdctl("get fixture --print-value-only", cluster.endpoint(last));
      assert.is(got.stdout.trim(), "ok", got.stderr);
      const list = cluster.adminEtcdctl("member list -w json");
      assert.is((JSON.parse(list.stdout) as { members: unknown[] }).members.length, cluster.members.length);
    } finally {
      cluster?.destroy();
      work.remove();
    }
  });
}

test.run();
