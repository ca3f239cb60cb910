// Certificate profiles as data: what each role may do, in plain words. The mapping of these words
// to X.509 constants lives in one table in x509.ts. Mirrors what kubeadm issues for etcd.

export type KeyUsage = "digital signature" | "key encipherment" | "cert sign";
export type ExtKeyUsage = "server auth" | "client auth";
export type Role = "ca" | "server" | "peer" | "client";

export interface Profile {
  isCa: boolean;
  keyUsages: readonly KeyUsage[];
  extKeyUsages: readonly ExtKeyUsage[];
}

export const PROFILES: Readonly<Record<Role, Profile>> = {
  ca: { isCa: true, keyUsages: ["digital signature", "key encipherment", "cert sign"], extKeyUsages: [] },
  // etcd 3.2+ also acts as a client with its server certificate (etcd#9785), hence client auth.
  server: { isCa: false, keyUsages: ["digital signature", "key encipherment"], extKeyUsages: ["server auth", "client auth"] },
  peer: { isCa: false, keyUsages: ["digital signature", "key encipherment"], extKeyUsages: ["server auth", "client auth"] },
  client: { isCa: false, keyUsages: ["digital signature", "key encipherment"], extKeyUsages: ["client auth"] },
};

/** Key encipherment only means something for RSA keys (RFC 5480 forbids it for EC keys). */
export function keyUsagesFor(profile: Profile, rsa: boolean): KeyUsage[] {
  return profile.keyUsages.filter((u) => rsa || u !== "key encipherment");
}
