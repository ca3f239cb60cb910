// The key algorithms a cluster file may choose, as WebCrypto parameters.
import type { KeyAlgorithm } from "../spec/types.js";

export interface AlgorithmParams {
  generate: RsaHashedKeyGenParams | EcKeyGenParams;
  /** For importing PKCS#8 keys back from the state folder. */
  import: RsaHashedImportParams | EcKeyImportParams;
  hash: "SHA-256" | "SHA-384";
  rsa: boolean;
}

const F4 = new Uint8Array([1, 0, 1]);

function rsa(bits: number): AlgorithmParams {
  return {
    generate: { name: "RSASSA-PKCS1-v1_5", modulusLength: bits, publicExponent: F4, hash: "SHA-256" },
    import: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
    hash: "SHA-256",
    rsa: true,
  };
}

function ec(curve: "P-256" | "P-384", hash: "SHA-256" | "SHA-384"): AlgorithmParams {
  return {
    generate: { name: "ECDSA", namedCurve: curve },
    import: { name: "ECDSA", namedCurve: curve },
    hash,
    rsa: false,
  };
}

export const ALGORITHMS: Readonly<Record<KeyAlgorithm, AlgorithmParams>> = {
  "ecdsa-p256": ec("P-256", "SHA-256"),
  "ecdsa-p384": ec("P-384", "SHA-384"),
  "rsa-2048": rsa(2048),
  "rsa-3072": rsa(3072),
  "rsa-4096": rsa(4096),
};

/** Which of our algorithms a public key is, from its JWK form. */
export function algorithmOfJwk(jwk: JsonWebKey): KeyAlgorithm | undefined {
  if (jwk.kty === "EC") return jwk.crv === "P-256" ? "ecdsa-p256" : jwk.crv === "P-384" ? "ecdsa-p384" : undefined;
  if (jwk.kty === "RSA" && jwk.n) {
    const bits = Math.round((Buffer.from(jwk.n, "base64url").length * 8) / 1024) * 1024;
    const name = `rsa-${bits}`;
    return name in ALGORITHMS ? (name as KeyAlgorithm) : undefined;
  }
  return undefined;
}
