#!/usr/bin/env bash
# The certificates artifacts/deploy needs, without cert-manager: an example-apiserver serving CA
# and certificate, an etcd CA with the etcd server, peer and client certificates, written as
# the Secrets the cert-manager manifests would issue (tls.crt, tls.key, ca.crt), and the serving
# CA put into the caBundle of the four APIServices. Run it after `kubectl apply -k
# artifacts/deploy` (the namespace and APIServices exist then); running it again issues new
# certificates, and the pods pick them up when restarted.
#
# Usage: hack/deploy-certs.sh [DIR]   (default _output/deploy-certs: the keys, mode 0600)
# Env:   KUBECTL (default kubectl) and KUBECONFIG choose the cluster.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKI_DIR="$(realpath -m "${1:-${ROOT}/_output/deploy-certs}")"
LOG_DIR="${PKI_DIR}"
KUBECTL="${KUBECTL:-kubectl}"
NAMESPACE=example-system
# shellcheck source=hack/lib/log.sh
source "${ROOT}/hack/lib/log.sh"
# shellcheck source=hack/lib/pki.sh
source "${ROOT}/hack/lib/pki.sh"

command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian: apt-get install -y openssl)"
"${KUBECTL}" get namespace "${NAMESPACE}" >/dev/null || die "namespace ${NAMESPACE} not found: kubectl apply -k artifacts/deploy first"

rm -rf "${PKI_DIR}"
mkdir -p "${PKI_DIR}"
chmod 700 "${PKI_DIR}"
openssl_cnf
log "issuing certificates in ${PKI_DIR#"${ROOT}"/}"
pki_ca example-apiserver-ca example-apiserver-ca
pki_cert example-apiserver-ca example-apiserver-serving-cert "/CN=example-apiserver.${NAMESPACE}.svc" server \
  "DNS:example-apiserver.${NAMESPACE}.svc,DNS:example-apiserver.${NAMESPACE}.svc.cluster.local"
pki_ca etcd-ca example-apiserver-etcd-ca
etcd_sans="DNS:*.etcd.${NAMESPACE}.svc,DNS:*.etcd.${NAMESPACE}.svc.cluster.local"
pki_cert etcd-ca etcd-server-tls "/CN=etcd" server "${etcd_sans},DNS:localhost,IP:127.0.0.1"
pki_cert etcd-ca etcd-peer-tls "/CN=etcd-peer" peer "${etcd_sans}"
pki_cert etcd-ca etcd-client-tls "/CN=example-apiserver" client
chmod 600 "${PKI_DIR}"/*.key

# secret NAME CA: the Secret NAME (kubernetes.io/tls, with the CA's certificate as ca.crt).
secret() {
  "${KUBECTL}" -n "${NAMESPACE}" create secret generic "$1" --type=kubernetes.io/tls \
    --from-file=tls.crt="${PKI_DIR}/$1.crt" --from-file=tls.key="${PKI_DIR}/$1.key" \
    --from-file=ca.crt="${PKI_DIR}/$2.crt" --dry-run=client -o yaml | "${KUBECTL}" apply -f - >/dev/null ||
    die "writing the Secret ${NAMESPACE}/$1 failed"
  log "Secret ${NAMESPACE}/$1 written"
}
secret example-apiserver-serving-cert example-apiserver-ca
secret etcd-server-tls etcd-ca
secret etcd-peer-tls etcd-ca
secret etcd-client-tls etcd-ca

ca_bundle="$(base64 -w0 <"${PKI_DIR}/example-apiserver-ca.crt")"
for apiservice in v2.example.com v1.example.com v1alpha1.login.example.com v1beta1.external.metrics.k8s.io; do
  if "${KUBECTL}" get apiservice "${apiservice}" >/dev/null 2>&1; then
    "${KUBECTL}" patch apiservice "${apiservice}" --type=merge -p "{\"spec\":{\"caBundle\":\"${ca_bundle}\"}}" >/dev/null ||
      die "setting the caBundle of APIService ${apiservice} failed"
    log "APIService ${apiservice}: caBundle set"
  fi
done
