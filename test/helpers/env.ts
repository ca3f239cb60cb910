// A PkiEnv for tests: a fixed clock, real WebCrypto.
import { webcrypto } from "node:crypto";
import type { PkiEnv } from "../../src/pki/reconcile.js";

export const FIXED_NOW = new Date("2026-01-15T12:00:00Z");

export function testEnv(now: Date = FIXED_NOW): PkiEnv {
  const crypto = webcrypto as unknown as Crypto;
  return { now: () => now, randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)), crypto };
}
