// Addresses and names: parsing, canonical forms, and what may safely become a hostname, a file
// name or a token in a systemd unit or shell script.
import { isIPv4, isIPv6 } from "node:net";

export type IpKind = "unicast" | "loopback" | "unspecified" | "multicast" | "link-local";

export interface IpAddress {
  /** Canonical text: IPv4 dotted quad, IPv6 compressed lowercase without brackets. */
  text: string;
  family: 4 | 6;
  kind: IpKind;
}

export function parseIp(input: string): IpAddress | undefined {
  if (isIPv4(input)) return { text: input, family: 4, kind: ipv4Kind(input) };
  if (!isIPv6(input) || input.includes("%")) return undefined;
  const text = new URL(`http://[${input}]/`).hostname.slice(1, -1);
  const bytes = ipv6Bytes(text);
  // An IPv4-mapped address (::ffff:10.0.0.11) is that IPv4 address.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return parseIp(bytes.slice(12).join("."));
  return { text, family: 6, kind: ipv6Kind(bytes) };
}

function ipv4Kind(ip: string): IpKind {
  const [a, b] = ip.split(".").map(Number) as [number, number];
  if (ip === "0.0.0.0") return "unspecified";
  if (a === 127) return "loopback";
  if (a >= 224) return "multicast";
  if (a === 169 && b === 254) return "link-local";
  return "unicast";
}

function ipv6Kind(bytes: Uint8Array): IpKind {
  if (bytes.every((b) => b === 0)) return "unspecified";
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return "loopback";
  if (bytes[0] === 0xff) return "multicast"; // ff00::/8
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return "link-local"; // fe80::/10
  return "unicast";
}

/** The 16 bytes of an IPv6 address in canonical text form. */
function ipv6Bytes(text: string): Uint8Array {
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  const left = groups(head);
  const right = groups(tail);
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  const out = new Uint8Array(16);
  [...left, ...middle, ...right].forEach((group, i) => {
    const value = parseInt(group, 16);
    out[i * 2] = value >> 8;
    out[i * 2 + 1] = value & 0xff;
  });
  return out;
}

/** The address as it is encoded in an X.509 iPAddress SAN: 4 or 16 bytes. */
export function ipToBytes(ip: IpAddress): Uint8Array {
  return ip.family === 4 ? new Uint8Array(ip.text.split(".").map(Number)) : ipv6Bytes(ip.text);
}

/** `host` as it goes into a URL: IPv6 in brackets. */
export function urlHost(ip: IpAddress): string {
  return ip.family === 6 ? `[${ip.text}]` : ip.text;
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const WILDCARD_DNS = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`);

/** A lowercase DNS name of at most 253 characters, each label 1-63 characters. */
export function isHostname(name: string): boolean {
  return name.length <= 253 && HOSTNAME.test(name);
}

/** A DNS name for a certificate SAN; a leading `*.` is allowed. */
export function isDnsSan(name: string): boolean {
  return name.length <= 253 && WILDCARD_DNS.test(name);
}

/** Why a name is not a valid hostname, for the hint. */
export function hostnameProblem(name: string): string {
  if (name === "") return "it is empty";
  const fixed = suggestHostname(name);
  if (fixed !== name && isHostname(fixed)) return `use lowercase letters, digits, '-' and '.', e.g. "${fixed}"`;
  if (name.length > 253) return "it is longer than 253 characters";
  if (name.split(".").some((l) => l.length > 63)) return "a label is longer than 63 characters";
  if (/[^a-z0-9.-]/.test(name)) return "only lowercase letters, digits, '-' and '.' are allowed";
  return "labels must start and end with a letter or digit, and may not be empty";
}

function suggestHostname(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/-+(?=\.|$)|(?<=^|\.)-+/g, "");
}

/** A name that is safe as a file name and as a bare token in shell and systemd: [a-z0-9-]. */
export function isSimpleName(name: string): boolean {
  return /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(name);
}

/** An absolute path without characters that need quoting in a unit file or a shell. */
export function isSafeAbsolutePath(path: string): boolean {
  return /^\/[A-Za-z0-9._+@/-]*$/.test(path) && !path.split("/").some((p) => p === "..") && path !== "/";
}
