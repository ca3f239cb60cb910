// The guests' root filesystem: Debian 12 from Debian's packages (mmdebstrap), built once and
// cached under .tmp/boot/ by a hash of its recipe. Guests boot from overlays of it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const PACKAGES = [
  "systemd",
  "systemd-sysv",
  "dbus",
  "udev",
  "cloud-init",
  "etcd-server",
  "etcd-client",
  "curl",
  "ca-certificates",
  "iproute2",
  "locales",
];

// What a cloud image has configured that minbase has not: networkd for cloud-init's network
// configuration, a generated locale for cloud-init's locale module, NoCloud as the datasource.
// Debian's etcd-server package leaves its own single-node etcd enabled: kept, as images have it.
const HOOKS = [
  'chroot "$1" systemctl enable systemd-networkd.service',
  'echo "en_US.UTF-8 UTF-8" > "$1/etc/locale.gen"',
  'chroot "$1" locale-gen',
  'echo "LANG=en_US.UTF-8" > "$1/etc/default/locale"',
  'printf "datasource_list: [ NoCloud, None ]\\n" > "$1/etc/cloud/cloud.cfg.d/90-boot-test.cfg"',
];

const SUITE = "bookworm";
const MIRROR = "http://deb.debian.org/debian";

export function rootfsRecipeKey(): string {
  return createHash("sha256").update(JSON.stringify({ PACKAGES, HOOKS, SUITE, MIRROR })).digest("hex").slice(0, 16);
}

/** The cached root filesystem, built first when missing. Returns its path and the build time. */
export function ensureRootfs(cacheDir: string, log: (line: string) => void): { path: string; builtMs: number } {
  const path = join(cacheDir, `rootfs-${rootfsRecipeKey()}`);
  if (existsSync(join(path, "etc", "os-release"))) return { path, builtMs: 0 };
  mkdirSync(cacheDir, { recursive: true });
  const staging = `${path}.building`;
  rmSync(staging, { recursive: true, force: true });
  log(`building the guests' root filesystem with mmdebstrap (${SUITE}, ${PACKAGES.length} packages)...`);
  const started = Date.now();
  const args = [
    "--variant=minbase",
    `--include=${PACKAGES.join(",")}`,
    ...HOOKS.map((hook) => `--customize-hook=${hook}`),
    SUITE,
    staging,
    MIRROR,
  ];
  const r = spawnSync("mmdebstrap", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 15 * 60 * 1000 });
  if (r.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mmdebstrap failed (${r.status ?? r.signal}): ${(r.stderr ?? "").slice(-3000)}`);
  }
  renameSync(staging, path);
  return { path, builtMs: Date.now() - started };
}
