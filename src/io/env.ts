// The real clock, random source and WebCrypto, for the CLI. Tests pass their own.
import { webcrypto } from "node:crypto";
import type { PkiEnv } from "../pki/reconcile.js";

/** SOURCE_DATE_EPOCH (seconds), when set, fixes the clock for reproducible builds. */
export function realEnv(sourceDateEpoch: string | undefined): PkiEnv {
  const fixed = sourceDateEpoch !== undefined && /^\d+$/.test(sourceDateEpoch) ? new Date(Number(sourceDateEpoch) * 1000) : undefined;
  const crypto = webcrypto as unknown as Crypto;
  return {
    now: () => fixed ?? new Date(),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    crypto,
  };
}
