// The one catalogue of user-facing problems. Every diagnostic etcdgen emits has a code from here;
// tests assert codes and paths, the prose may improve freely.

export type Severity = "error" | "warning";

export const CODES = {
  // input file
  E_TOML_SYNTAX: "error",
  E_FILE_UNREADABLE: "error",
  // schema
  E_UNKNOWN_KEY: "error",
  E_MISSING_KEY: "error",
  E_TYPE: "error",
  E_ENUM: "error",
  // cluster
  E_NAME_INVALID: "error",
  E_ETCD_VERSION_INVALID: "error",
  E_ETCD_VERSION_UNSUPPORTED: "error",
  W_ETCD_VERSION_UNTESTED: "warning",
  E_PATH_NOT_ABSOLUTE: "error",
  E_TOKEN_INVALID: "error",
  // ports
  E_PORT_RANGE: "error",
  E_PORT_COLLISION: "error",
  E_PORT_CLIENT_HTTP_UNSUPPORTED: "error",
  // tls
  E_TLS_OFF_WITHOUT_OPT_IN: "error",
  W_TLS_OFF: "warning",
  E_CLIENT_AUTH_OFF_WITHOUT_OPT_IN: "error",
  W_CLIENT_AUTH_OFF: "warning",
  E_TLS_OFF_WITH_CLIENTS: "error",
  E_VALIDITY_RANGE: "error",
  E_VALIDITY_CA_SHORTER: "error",
  E_SAN_INVALID: "error",
  W_SAN_DUPLICATE: "warning",
  E_SAN_BELONGS_TO_NODE: "error",
  // install
  E_INSTALL_KEY_FOR_OTHER_METHOD: "error",
  E_INSTALL_URL_MISSING: "error",
  E_INSTALL_URL_INVALID: "error",
  E_INSTALL_SHA256_MISSING: "error",
  E_INSTALL_SHA256_INVALID: "error",
  E_PACKAGE_NAME_INVALID: "error",
  // kubeadm mode
  E_LAYOUT_MODE_MISMATCH: "error",
  E_KUBEADM_WITHOUT_MODE: "error",
  E_INSTALL_IN_KUBEADM_MODE: "error",
  E_KUBEADM_NEEDS_TLS: "error",
  E_KUBERNETES_VERSION_MISSING: "error",
  E_KUBERNETES_VERSION_INVALID: "error",
  E_IMAGE_INVALID: "error",
  E_KUBEADM_CONFIG_API_TOO_NEW: "error",
  E_KUBEADM_CONFIG_API_TOO_OLD: "error",
  E_KUBEADM_NEEDS_V1BETA4: "error",
  // nodes
  E_NODES_EMPTY: "error",
  E_NODE_NAME_DUPLICATE: "error",
  E_NODE_NAME_RESERVED: "error",
  E_NODE_IP_INVALID: "error",
  E_NODE_IP_UNUSABLE: "error",
  W_NODE_IP_LOOPBACK: "warning",
  E_NODE_IP_DUPLICATE: "error",
  E_DNS_NAME_INVALID: "error",
  E_DNS_NAME_DUPLICATE: "error",
  W_QUORUM_EVEN: "warning",
  W_QUORUM_LARGE: "warning",
  // clients
  E_CLIENT_NAME_DUPLICATE: "error",
  E_CLIENT_NAME_RESERVED: "error",
  E_SUBJECT_INVALID: "error",
  // state folder
  E_STATE_CERT_STALE: "error",
  E_STATE_CA_STALE: "error",
  E_STATE_INCOMPLETE: "error",
  E_STATE_UNREADABLE: "error",
  E_STATE_KEY_MISMATCH: "error",
  W_STATE_ORPHAN: "warning",
  W_CERT_EXPIRING: "warning",
  W_CERT_CAPPED_BY_CA: "warning",
  E_STATE_INSIDE_OUTPUT: "error",
  E_STATE_CA_MISSING: "error",
  E_STATE_CA_EXISTS: "error",
  E_IMPORT_CA_INVALID: "error",
  W_CA_DIFFERS_FROM_OUTPUT: "warning",
} as const satisfies Record<string, Severity>;

export type Code = keyof typeof CODES;

export function severityOf(code: Code): Severity {
  return CODES[code];
}
