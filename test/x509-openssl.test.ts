// Every certificate etcdgen issues, checked with the real openssl, for every key algorithm.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli } from "./helpers/cli.js";
import { snapshotTree, tempDir } from "./helpers/fs.js";
import { openssl, requireTool, run } from "./helpers/tools.js";

const ALGORITHMS = ["ecdsa-p256", "ecdsa-p384", "rsa-2048", "rsa-3072", "rsa-4096"] as const;

const clusterFile = (algorithm: string) => `[cluster]
name = "single"
etcd_version = "3.5.17"
[tls]
key_algorithm = "${algorithm}"
pki_layout = "kubeadm"
extra_sans = ["lb.k8s.lan", "10.32.0.1"]
[[nodes]]
name = "etcd-a"
ip = "10.0.0.21"
dns = ["etcd-a.k8s.lan"]
[[clients]]
name = "monitoring"
cn = "prometheus"
o = ["system:monitoring", "lab"]
`;

/** The extension block of `openssl x509 -text`, as name -> value text. */
function extensions(certPath: string): Map<string, { critical: boolean; value: string }> {
  const text = openssl(["x509", "-in", certPath, "-noout", "-text"]);
  const block = text.split("X509v3 extensions:")[1]!.split("Signature Algorithm:")[0]!;
  const out = new Map<string, { critical: boolean; value: string }>();
  const lines = block.split("\n").map((l) => l.trim()).filter(Boolean);
  for (let i = 0; i < lines.length; i++) {
    const m = /^X509v3 (.+?):( critical)?$/.exec(lines[i]!);
    if (m) out.set(m[1]!, { critical: m[2] !== undefined, value: lines[i + 1] ?? "" });
  }
  return out;
}

function field(certPath: string, flag: string): string {
  return openssl(["x509", "-in", certPath, "-noout", flag, "-nameopt", "RFC2253"]).trim();
}

const KEY_TEXT: Record<string, RegExp> = {
  "ecdsa-p256": /NIST CURVE: P-256/,
  "ecdsa-p384": /NIST CURVE: P-384/,
  "rsa-2048": /Private-Key: \(2048 bit/,
  "rsa-3072": /Private-Key: \(3072 bit/,
  "rsa-4096": /Private-Key: \(4096 bit/,
};

for (const algorithm of ALGORITHMS) {
  test(`issued certificates :: ${algorithm} :: openssl verify, extensions, keys`, async () => {
    requireTool("openssl");
    const dir = tempDir();
    try {
      writeFileSync(join(dir.path, "cluster.toml"), clusterFile(algorithm));
      const r = await runCli(["build", "cluster.toml"], { cwd: dir.path });
      assert.is(r.code, 0, r.stderr);
      const state = join(dir.path, "cluster.pki");
      const ca = join(state, "ca.crt");
      const rsa = algorithm.startsWith("rsa");

      // The CA.
      assert.is(field(ca, "-subject"), "subject=CN=etcd-ca");
      const caExt = extensions(ca);
      assert.equal(caExt.get("Basic Constraints"), { critical: true, value: "CA:TRUE, pathlen:0" });
      assert.is(caExt.get("Key Usage")!.critical, true);
      assert.is(caExt.get("Key Usage")!.value, rsa ? "Digital Signature, Key Encipherment, Certificate Sign" : "Digital Signature, Certificate Sign");
      assert.is(caExt.get("Subject Alternative Name")!.value, "DNS:etcd-ca");
      const caSki = caExt.get("Subject Key Identifier")!.value;
      assert.is(caExt.get("Authority Key Identifier")!.value.replace(/^keyid:/, ""), caSki);
      assert.ok(openssl(["verify", "-CAfile", ca, ca]).includes(": OK"));

      const leafUsage = rsa ? "Digital Signature, Key Encipherment" : "Digital Signature";
      for (const role of ["server", "peer"]) {
        const cert = join(state, role, "etcd-a.crt");
        assert.is(openssl(["verify", "-CAfile", ca, "-purpose", "sslserver", cert]).trim(), `${cert}: OK`);
        assert.is(openssl(["verify", "-CAfile", ca, "-purpose", "sslclient", cert]).trim(), `${cert}: OK`);
        assert.is(field(cert, "-subject"), "subject=CN=etcd-a");
        assert.is(field(cert, "-issuer"), "issuer=CN=etcd-ca");
        const ext = extensions(cert);
        assert.equal(ext.get("Basic Constraints"), { critical: true, value: "CA:FALSE" });
        assert.equal(ext.get("Key Usage"), { critical: true, value: leafUsage });
        assert.is(ext.get("Extended Key Usage")!.value, "TLS Web Server Authentication, TLS Web Client Authentication");
        assert.is(
          ext.get("Subject Alternative Name")!.value,
          "DNS:etcd-a, DNS:etcd-a.k8s.lan, DNS:localhost, DNS:lb.k8s.lan, IP Address:10.0.0.21, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.32.0.1",
        );
        assert.is(ext.get("Authority Key Identifier")!.value.replace(/^keyid:/, ""), caSki);
        assert.ok(ext.get("Subject Key Identifier")!.value.length > 0);
      }

      for (const [name, subject] of [
        ["healthcheck-client", "subject=CN=kube-etcd-healthcheck-client"],
        ["admin", "subject=CN=admin"],
        // One RDN per attribute: a multi-valued RDN would print as "O=...+CN=...".
        ["monitoring", "subject=CN=prometheus,O=lab,O=system:monitoring"],
      ] as const) {
        const cert = join(state, "client", `${name}.crt`);
        assert.is(openssl(["verify", "-CAfile", ca, "-purpose", "sslclient", cert]).trim(), `${cert}: OK`);
        // A client certificate must not pass as a server.
        const asServer = run("openssl", ["verify", "-CAfile", ca, "-purpose", "sslserver", cert]);
        assert.is.not(asServer.code, 0);
        assert.is(field(cert, "-subject"), subject);
        const ext = extensions(cert);
        assert.is(ext.get("Extended Key Usage")!.value, "TLS Web Client Authentication");
        assert.equal(ext.get("Key Usage"), { critical: true, value: leafUsage });
        assert.not.ok(ext.has("Subject Alternative Name"));
      }

      // Validity: kubeadm's lengths, counted from a few minutes before issuance.
      const days = (cert: string) => {
        const start = new Date(field(cert, "-startdate").replace("notBefore=", "")).getTime();
        const end = new Date(field(cert, "-enddate").replace("notAfter=", "")).getTime();
        return (end - start) / 86400000;
      };
      assert.ok(Math.abs(days(ca) - 3650) < 0.01, `CA validity ${days(ca)}`);
      assert.ok(Math.abs(days(join(state, "server", "etcd-a.crt")) - 365) < 0.01);

      // Keys: the chosen algorithm, matching their certificates, private to their owner.
      const snapshot = snapshotTree(state);
      for (const [path, entry] of Object.entries(snapshot)) {
        if (path.endsWith("/")) assert.is(entry, "700", `${path} folder mode`);
        if (!path.endsWith(".key")) continue;
        assert.ok(entry.startsWith("600 "), `${path} mode ${entry}`);
        const keyPath = join(state, path);
        assert.match(openssl(["pkey", "-in", keyPath, "-noout", "-text"]), KEY_TEXT[algorithm]!);
        const fromKey = openssl(["pkey", "-in", keyPath, "-pubout"]);
        const fromCert = openssl(["x509", "-in", keyPath.replace(/\.key$/, ".crt"), "-noout", "-pubkey"]);
        assert.is(fromKey, fromCert, `${path} matches its certificate`);
      }
      assert.is((snapshotTree(dir.path)["cluster.pki/"]), "700");
    } finally {
      dir.remove();
    }
  });
}

test("issued certificates :: ipv6 member address in the SANs", async () => {
  requireTool("openssl");
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, "v6.toml"), clusterFile("ecdsa-p256").replace('ip = "10.0.0.21"', 'ip = "fd00:10::21"'));
    const r = await runCli(["build", "v6.toml"], { cwd: dir.path });
    assert.is(r.code, 0, r.stderr);
    const cert = join(dir.path, "v6.pki", "peer", "etcd-a.crt");
    assert.match(extensions(cert).get("Subject Alternative Name")!.value, "IP Address:FD00:10:0:0:0:0:0:21");
  } finally {
    dir.remove();
  }
});

test.run();
