// Every user-data etcdgen writes passes the real `cloud-init schema`; every unit passes
// `systemd-analyze verify` with no warning.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import YAML from "yaml";
import { tempDir } from "../helpers/fs.js";
import { buildFixture, fixtureNames } from "../helpers/fixtures.js";
import { requireTool, run } from "../helpers/tools.js";

/** Every private key of a state folder, by its text. */
function keyOwners(state: string): Map<string, string> {
  const owners = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== "retired") walk(join(dir, e.name), `${prefix}${e.name}/`);
      else if (e.name.endsWith(".key")) owners.set(readFileSync(join(dir, e.name), "utf8").trim(), `${prefix}${e.name.slice(0, -4)}`);
    }
  };
  walk(state, "");
  return owners;
}

function cloudInitSchema(path: string) {
  requireTool("cloud-init");
  return run("cloud-init", ["schema", "--config-file", path]);
}

test("cloud-init schema :: rejects a broken document (the check can fail)", () => {
  const dir = tempDir();
  try {
    const bad = join(dir.path, "user-data");
    writeFileSync(bad, "#cloud-config\nwrite_files:\n  - path: /x\n    permissions: 420\n    defer: maybe\n");
    const r = cloudInitSchema(bad);
    assert.is.not(r.code, 0, r.stdout);
  } finally {
    dir.remove();
  }
});

for (const name of fixtureNames()) {
  test(`cloud-init schema :: ${name} :: every user-data is valid cloud-config`, async () => {
    const work = tempDir();
    try {
      const r = await buildFixture(name, work.path, join(work.path, "state"));
      assert.is(r.code, 0, r.stderr);
      const out = join(work.path, "out");
      const nodes = (JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { nodes: { name: string }[] }).nodes;
      assert.ok(nodes.length > 0);
      for (const node of nodes) {
        const userData = join(out, node.name, "user-data");
        const result = cloudInitSchema(userData);
        assert.is(result.code, 0, `${node.name}: ${result.stdout}${result.stderr}`);
        assert.match(result.stdout, "Valid cloud-config");
        // What cloud-init's module order needs: files owned by etcd wait for the user to exist.
        const doc = YAML.parse(readFileSync(userData, "utf8")) as { write_files: { owner: string; defer?: boolean; path: string; content: string }[] };
        for (const f of doc.write_files) assert.is(f.defer === true, f.owner !== "root:root", `${f.path} deferred exactly when owned by etcd`);
        // Only this node's keys and the layout's client keys; never the CA key, never another node's.
        const owners = keyOwners(join(work.path, "state"));
        const keyIds = doc.write_files.filter((f) => f.content.includes("PRIVATE KEY")).map((f) => owners.get(f.content.trim()) ?? `unknown key at ${f.path}`);
        const kubeadmLayout = doc.write_files.some((f) => f.path.startsWith("/etc/kubernetes/pki/"));
        const expected = [`peer/${node.name}`, `server/${node.name}`, ...(kubeadmLayout ? ["client/apiserver-etcd-client", "client/healthcheck-client"] : [])];
        assert.equal(keyIds.sort(), expected.sort());
        const meta = YAML.parse(readFileSync(join(out, node.name, "meta-data"), "utf8")) as Record<string, string>;
        assert.is(meta["local-hostname"], node.name);
        assert.ok(meta["instance-id"]);
      }
    } finally {
      work.remove();
    }
  });
}

test("systemd-analyze verify :: every generated unit, without a warning", async () => {
  requireTool("systemd-analyze");
  const work = tempDir();
  try {
    for (const name of fixtureNames()) {
      const r = await buildFixture(name, join(work.path), join(work.path, `${name}-state`));
      assert.is(r.code, 0, r.stderr);
      const out = join(work.path, "out");
      for (const { name: node } of (JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as { nodes: { name: string }[] }).nodes) {
        const unitFile = join(out, node, "files/etc/systemd/system/etcd.service");
        if (!existsSync(unitFile)) {
          verifyKubeletDropIn(work.path, join(out, node, "files/etc/systemd/system/kubelet.service.d/20-etcd-service-manager.conf"));
          continue;
        }
        let unit = readFileSync(unitFile, "utf8");
        // verify also checks that ExecStart exists; where the unit names a binary this machine
        // lacks (a tarball or image install), point it at a stand-in so the rest is still checked.
        const binary = /^ExecStart=(\S+)/m.exec(unit)![1]!;
        if (run("test", ["-x", binary]).code !== 0) {
          const stub = join(work.path, "bin", "etcd");
          mkdirSync(join(work.path, "bin"), { recursive: true });
          writeFileSync(stub, "#!/bin/sh\n");
          chmodSync(stub, 0o755);
          unit = unit.replace(`ExecStart=${binary}`, `ExecStart=${stub}`);
        }
        const unitPath = join(work.path, "units", name, node, "etcd.service");
        mkdirSync(join(unitPath, ".."), { recursive: true });
        writeFileSync(unitPath, unit);
        const v = run("systemd-analyze", ["verify", unitPath]);
        assert.is(v.code, 0, `${name}/${node}: ${v.stderr}`);
        assert.is(v.stderr.trim(), "", `${name}/${node}: ${v.stderr}`);
      }
      run("rm", ["-rf", out]);
    }
  } finally {
    work.remove();
  }
});

/**
 * kubeadm mode's drop-in turns kubelet.service into a static-pod runner. verify reads drop-ins
 * beside the unit it is given, so it gets a stand-in kubelet.service (the package's is not here)
 * with the generated drop-in.
 */
function verifyKubeletDropIn(work: string, dropIn: string): void {
  assert.ok(existsSync(dropIn), `${dropIn} is missing`);
  const dir = join(work, "kubelet-unit");
  mkdirSync(join(dir, "kubelet.service.d"), { recursive: true });
  const kubelet = run("test", ["-x", "/usr/bin/kubelet"]).code === 0 ? "/usr/bin/kubelet" : "/bin/true";
  writeFileSync(join(dir, "kubelet.service"), `[Unit]\nDescription=kubelet stand-in\n[Service]\nExecStart=${kubelet}\n[Install]\nWantedBy=multi-user.target\n`);
  const text = readFileSync(dropIn, "utf8").replace(/ExecStart=\/usr\/bin\/kubelet/, `ExecStart=${kubelet}`);
  writeFileSync(join(dir, "kubelet.service.d", "20-etcd-service-manager.conf"), text);
  const v = run("systemd-analyze", ["verify", join(dir, "kubelet.service")]);
  assert.is(v.code, 0, v.stderr);
  assert.is(v.stderr.trim(), "", v.stderr);
}

test.run();
