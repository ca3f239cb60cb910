// Key pairs: generation on the injected WebCrypto, PKCS#8 PEM in and out, and whether a private
// key belongs to a certificate.
import type { KeyAlgorithm } from "../spec/types.js";
import { ALGORITHMS } from "./algorithms.js";
import { fromPem, toPem } from "./pem.js";

export const PRIVATE_KEY_LABEL = "PRIVATE KEY";

export async function generateKeyPair(algorithm: KeyAlgorithm, crypto: Crypto): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHMS[algorithm].generate, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

export async function privateKeyToPem(key: CryptoKey, crypto: Crypto): Promise<string> {
  return toPem(PRIVATE_KEY_LABEL, await crypto.subtle.exportKey("pkcs8", key));
}

export async function privateKeyFromPem(pem: string, algorithm: KeyAlgorithm, crypto: Crypto): Promise<CryptoKey> {
  const der = fromPem(PRIVATE_KEY_LABEL, pem);
  if (!der) throw new Error(`no "-----BEGIN ${PRIVATE_KEY_LABEL}-----" block (PKCS#8)`);
  return crypto.subtle.importKey("pkcs8", der, ALGORITHMS[algorithm].import, true, ["sign"]);
}

/** True when the private key is the other half of the public key. */
export async function keysMatch(privateKey: CryptoKey, publicKey: CryptoKey, crypto: Crypto): Promise<boolean> {
  const priv = await crypto.subtle.exportKey("jwk", privateKey);
  const pub = await crypto.subtle.exportKey("jwk", publicKey);
  const fields = pub.kty === "RSA" ? (["n", "e"] as const) : (["crv", "x", "y"] as const);
  return fields.every((f) => priv[f] === pub[f]);
}
