# Kubeconfigs of hack/local-up.sh: write_kubeconfig, one per identity, with the certificates inlined.
# Expects PKI_DIR (the NAME.crt/NAME.key of pki.sh).
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# write_kubeconfig FILE SERVER CA_FILE CERT_NAME (pki/CERT_NAME.{crt,key})
write_kubeconfig() {
  local file="$1" server="$2" ca="$3" cert="$4"
  cat >"${file}" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: ${server}
    certificate-authority-data: $(base64 -w0 <"${ca}")
users:
- name: ${cert}
  user:
    client-certificate-data: $(base64 -w0 <"${PKI_DIR}/${cert}.crt")
    client-key-data: $(base64 -w0 <"${PKI_DIR}/${cert}.key")
contexts:
- name: local
  context:
    cluster: local
    user: ${cert}
current-context: local
EOF
  chmod 600 "${file}"
}
