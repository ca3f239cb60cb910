// `etcdgen import-ca`: CAs made the ways clusters are built today — by openssl runbooks (PKCS#8,
// PKCS#1 and SEC1 keys, any subject, no key usage at all), the way kubeadm makes its etcd CA,
// and by cfssl — are adopted, and every leaf etcdgen then issues verifies against them with the
// real openssl. Bad input is refused with nothing written.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "./helpers/cli.js";
import { snapshotTree, tempDir } from "./helpers/fs.js";
import { openssl, requireTool, run } from "./helpers/tools.js";

/** A folder with the example cluster file and a CA made by `make(dir)`; removed afterwards. */
async function withCa(make: (dir: string) => void, body: (dir: string) => Promise<void>): Promise<void> {
  const dir = tempDir("etcdgen-adopt-");
  try {
    writeFileSync(join(dir.path, "cluster.toml"), (await runCli(["init"])).stdout);
    make(dir.path);
    await body(dir.path);
  } finally {
    dir.remove();
  }
}

function sh(dir: string, script: string): void {
  const r = run("sh", ["-c", script], { cwd: dir });
  if (r.code !== 0) throw new Error(`${script}\n${r.stderr}`);
}

const CAS: Record<string, (dir: string) => void> = {
  // kubeadm writes its etcd CA as RSA-2048 with a PKCS#1 key, CN=etcd-ca, DNS:etcd-ca, 10 years.
  "kubeadm-style RSA-2048, PKCS#1 key": (dir) => {
    requireTool("openssl");
    sh(
      dir,
      "openssl genrsa -traditional -out ca.key 2048 2>/dev/null && openssl req -x509 -new -key ca.key -subj /CN=etcd-ca -days 3650 " +
        "-addext subjectAltName=DNS:etcd-ca -addext keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign -out ca.crt",
    );
  },
  "runbook ECDSA P-256, SEC1 key, any subject, no key usage": (dir) => {
    requireTool("openssl");
    sh(
      dir,
      "openssl ecparam -name prime256v1 -genkey -noout -out ca.key && openssl req -x509 -new -key ca.key " +
        "-subj '/C=DE/O=Example Ops/OU=Platform/CN=Example etcd CA' -days 1825 -out ca.crt",
    );
  },
  "runbook ECDSA P-256 with the curve's parameters before the key (openssl ecparam without -noout)": (dir) => {
    requireTool("openssl");
    sh(dir, "openssl ecparam -name prime256v1 -genkey -out ca.key && openssl req -x509 -new -key ca.key -subj /CN=ecparam-ca -days 365 -out ca.crt");
  },
  "runbook ECDSA P-384, PKCS#8 key": (dir) => {
    requireTool("openssl");
    sh(dir, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout ca.key -subj /CN=p384-ca -days 365 -out ca.crt 2>/dev/null");
  },
  "cfssl gencert -initca": (dir) => {
    requireTool("cfssl");
    requireTool("cfssljson");
    writeFileSync(join(dir, "ca-csr.json"), JSON.stringify({ CN: "cfssl etcd CA", key: { algo: "ecdsa", size: 256 }, names: [{ O: "Example" }] }));
    sh(dir, "cfssl gencert -initca ca-csr.json 2>/dev/null | cfssljson -bare ca && mv ca-key.pem ca.key && mv ca.pem ca.crt");
  },
};

for (const [name, make] of Object.entries(CAS)) {
  test(`import-ca :: ${name} :: adopted; every leaf verifies against it with openssl; a rebuild keeps everything`, async () => {
    await withCa(make, async (dir) => {
      const imported = await runCli(["import-ca", "cluster.toml", "--cert", "ca.crt", "--key", "ca.key"], { cwd: dir });
      assert.is(imported.code, 0, imported.stderr);
      const tree = snapshotTree(join(dir, "cluster.pki"));
      assert.is(tree["ca.key"]!.split(" ")[0], "600");
      assert.ok(tree[".gitignore"]);
      assert.match(readFileSync(join(dir, "cluster.pki", "ca.key"), "utf8"), /^-----BEGIN PRIVATE KEY-----/);
      const built = await runCli(["build", "cluster.toml"], { cwd: dir });
      assert.is(built.code, 0, built.stderr);
      assert.match(built.stdout, "1 of 10 certificates reused");
      const caSubject = openssl(["x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", join(dir, "ca.crt")]).trim().replace(/^subject=/, "");
      for (const leaf of ["server/etcd-1", "peer/etcd-2", "client/admin", "client/prometheus"]) {
        const path = join(dir, "cluster.pki", `${leaf}.crt`);
        assert.is(openssl(["verify", "-CAfile", join(dir, "ca.crt"), path]).trim(), `${path}: OK`);
        const issuer = openssl(["x509", "-noout", "-issuer", "-nameopt", "RFC2253", "-in", path]).trim().replace(/^issuer=/, "");
        assert.is(issuer, caSubject);
      }
      // The CA goes out as it came in: the same certificate, byte for byte once decoded.
      const fingerprint = (file: string) => openssl(["x509", "-noout", "-fingerprint", "-sha256", "-in", file]).trim();
      assert.is(fingerprint(join(dir, "out", "admin", "ca.crt")), fingerprint(join(dir, "ca.crt")));
      const again = await runCli(["build", "cluster.toml", "--strict"], { cwd: dir });
      assert.is(again.code, 0, again.stderr);
      assert.match(again.stdout, "10 of 10 certificates reused");
    });
  });
}

/** import-ca refuses: exit code, the file named, the code, and nothing written. */
async function refused(dir: string, args: string[], exit: number, words: string, env: Record<string, string> = {}): Promise<void> {
  const before = snapshotTree(dir);
  const r = await runCli(["import-ca", "cluster.toml", ...args], { cwd: dir, env });
  assert.is(r.code, exit, r.stderr);
  assert.match(r.stderr, words);
  assert.match(r.stderr, "hint: ");
  assert.equal(snapshotTree(dir), before, "nothing written");
}

test("import-ca :: an encrypted key, a leaf certificate, another CA's key and a chain are refused", async () => {
  await withCa(CAS["kubeadm-style RSA-2048, PKCS#1 key"]!, async (dir) => {
    sh(dir, "openssl genrsa -aes256 -passout pass:secret -out encrypted.key 2048 2>/dev/null");
    await refused(dir, ["--cert", "ca.crt", "--key", "encrypted.key"], 1, "encrypted.key: error[E_IMPORT_CA_INVALID]: the private key is encrypted");
    sh(dir, "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout leaf.key -subj /CN=leaf -out leaf.csr 2>/dev/null");
    sh(dir, "openssl x509 -req -in leaf.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 -out leaf.crt 2>/dev/null");
    await refused(dir, ["--cert", "leaf.crt", "--key", "leaf.key"], 1, "leaf.crt: error[E_IMPORT_CA_INVALID]");
    sh(dir, "openssl genrsa -out other.key 2048 2>/dev/null");
    await refused(dir, ["--cert", "ca.crt", "--key", "other.key"], 1, "other.key: error[E_IMPORT_CA_INVALID]: the private key is not the key of");
    sh(dir, "cat ca.crt leaf.crt > chain.crt");
    await refused(dir, ["--cert", "chain.crt", "--key", "ca.key"], 1, "found CERTIFICATE, CERTIFICATE");
    await refused(dir, ["--cert", "missing.crt", "--key", "ca.key"], 1, "E_FILE_UNREADABLE");
  });
});

test("import-ca :: an expired CA is refused", async () => {
  await withCa(CAS["kubeadm-style RSA-2048, PKCS#1 key"]!, async (dir) => {
    await refused(dir, ["--cert", "ca.crt", "--key", "ca.key"], 1, "expired on", { SOURCE_DATE_EPOCH: String(4102444800 + 3650 * 86400) });
  });
});

test("import-ca :: a certificate with bytes after it is refused, as Go's x509 refuses it", async () => {
  await withCa(CAS["kubeadm-style RSA-2048, PKCS#1 key"]!, async (dir) => {
    sh(dir, "openssl x509 -in ca.crt -outform DER -out ca.der && printf 'trailing' >> ca.der && openssl base64 -in ca.der | { echo '-----BEGIN CERTIFICATE-----'; cat; echo '-----END CERTIFICATE-----'; } > padded.crt");
    await refused(dir, ["--cert", "padded.crt", "--key", "ca.key"], 1, "trailing data");
  });
});

test("import-ca :: --state is remembered in the advice; --new-ca later replaces the adopted CA and retires its marker", async () => {
  await withCa(CAS["runbook ECDSA P-384, PKCS#8 key"]!, async (dir) => {
    const r = await runCli(["import-ca", "cluster.toml", "--cert", "ca.crt", "--key", "ca.key", "--state", "elsewhere"], { cwd: dir });
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stdout, "etcdgen build cluster.toml --state elsewhere now issues");
    assert.is((await runCli(["build", "cluster.toml", "--state", "elsewhere"], { cwd: dir })).code, 0);
    const replaced = await runCli(["build", "cluster.toml", "--state", "elsewhere", "--new-ca"], { cwd: dir });
    assert.is(replaced.code, 0, replaced.stderr);
    const tree = snapshotTree(join(dir, "elsewhere"));
    assert.not.ok(tree["ca.imported"]);
    assert.ok(Object.keys(tree).some((p) => /^retired\/ca\.imported\.[0-9a-f]+$/.test(p)));
    assert.is.not(openssl(["x509", "-noout", "-subject", "-in", join(dir, "elsewhere", "ca.crt")]).trim(), "subject=CN = p384-ca");
    // Now etcdgen's own CA, compared with [tls] again: a rebuild keeps everything.
    const again = await runCli(["build", "cluster.toml", "--state", "elsewhere", "--strict"], { cwd: dir });
    assert.is(again.code, 0, again.stderr);
  });
});

test("import-ca :: a state folder that has a CA is never overwritten", async () => {
  await withCa(CAS["runbook ECDSA P-384, PKCS#8 key"]!, async (dir) => {
    assert.is((await runCli(["build", "cluster.toml"], { cwd: dir })).code, 0);
    await refused(dir, ["--cert", "ca.crt", "--key", "ca.key"], 3, "error[E_STATE_CA_EXISTS]");
  });
});

test("import-ca :: an invalid cluster file is reported and nothing is written", async () => {
  await withCa(CAS["runbook ECDSA P-384, PKCS#8 key"]!, async (dir) => {
    writeFileSync(join(dir, "cluster.toml"), '[cluster]\nname = "lab"\n');
    await refused(dir, ["--cert", "ca.crt", "--key", "ca.key"], 1, "E_MISSING_KEY");
  });
});

test.run();
