// The commented cluster file `etcdgen init` prints. It is also the bundled example
// (fixtures/homelab/cluster.toml), and a test keeps the two identical.

export const EXAMPLE_CLUSTER = `#:schema ./cluster.schema.json
# An etcd cluster for Kubernetes' external etcd topology: three members, TLS everywhere.
# Build it with:  etcdgen build cluster.toml      (writes out/ and the state folder cluster.pki/)
# Editors complete the keys from the schema: etcdgen schema > cluster.schema.json

[cluster]
name = "homelab"
# The version the nodes run; flags are rendered for it (3.4, 3.5 and 3.6 are supported).
# Debian 12's etcd-server package is 3.4.23.
etcd_version = "3.4.23"
mode = "systemd"                 # etcd runs as a systemd service
data_dir = "/var/lib/etcd"
# token = "homelab-1"            # initial cluster token; generated once and kept in the state folder

[ports]                          # these are the defaults
client = 2379
peer = 2380
metrics = 2381

[tls]
key_algorithm = "ecdsa-p256"     # or ecdsa-p384, rsa-2048, rsa-3072, rsa-4096
ca_validity_days = 3650
cert_validity_days = 365
extra_sans = ["etcd.k8s.lan"]    # e.g. a load balancer in front of the members
client_cert_auth = true

[install]
method = "package"               # the distribution's packages (etcd-server, etcd-client)
# method = "tarball"             # or a release tarball, verified before it is unpacked:
# url = "https://github.com/etcd-io/etcd/releases/download/v3.5.17/etcd-v3.5.17-linux-amd64.tar.gz"
# sha256 = "<the tarball's sha256>"
# method = "preinstalled"        # or already in the image:
# binary = "/usr/bin/etcd"

[[nodes]]
name = "etcd-1"
ip = "10.0.0.11"
dns = ["etcd-1.k8s.lan"]

[[nodes]]
name = "etcd-2"
ip = "10.0.0.12"
dns = ["etcd-2.k8s.lan"]

[[nodes]]
name = "etcd-3"
ip = "10.0.0.13"
dns = ["etcd-3.k8s.lan"]

# Client certificates to issue, each with a bundle in out/clients/<name>/ to hand to its owner.
# "admin" is always issued (out/admin/).
[[clients]]
name = "apiserver-etcd-client"   # CN kube-apiserver-etcd-client, as kubeadm names it

[[clients]]
name = "prometheus"
cn = "prometheus"
`;
