# PKI of hack/local-up.sh (openssl): the CAs, serving and client certificates and the service-account key.
# Expects ROOT, PKI_DIR, LOG_DIR (pki.log), KUBE_APISERVER_ADDRESS.
# shellcheck shell=bash
# SC2015: `a && b || die` means "die if either fails" here. SC2154: set by hack/local-up.sh.
# shellcheck disable=SC2015,SC2154

OPENSSL_CNF=""
openssl_cnf() {
  OPENSSL_CNF="${PKI_DIR}/openssl.cnf"
  cat >"${OPENSSL_CNF}" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyCertSign,cRLSign
subjectKeyIdentifier = hash
EOF
}

# CAs and leaves get P-256 keys: generated in milliseconds where RSA keys take
# a good part of a second each on a loaded CI machine, and the stack needs
# over a dozen. (The service-account key stays RSA: tokens are RS256.)
PKI_KEY=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1)

# pki_ca NAME CN: self-signed CA NAME.crt/NAME.key
pki_ca() {
  openssl req -x509 -new -nodes "${PKI_KEY[@]}" -sha256 -days 3650 \
    -config "${OPENSSL_CNF}" -extensions v3_ca -subj "/CN=$2" \
    -keyout "${PKI_DIR}/$1.key" -out "${PKI_DIR}/$1.crt" >>"${LOG_DIR}/pki.log" 2>&1 ||
    die "openssl failed creating CA $1 (see ${LOG_DIR#"${ROOT}"/}/pki.log)"
}

# pki_cert CA NAME SUBJECT server|client|peer [SAN,...] (a peer both serves and dials): leaf NAME.crt/NAME.key signed by CA
pki_cert() {
  local ca="$1" name="$2" subj="$3" kind="$4" sans="${5:-}" ext eku
  case "${kind}" in
    server) eku=serverAuth ;;
    client) eku=clientAuth ;;
    peer) eku=serverAuth,clientAuth ;;
    *) die "pki_cert: bad kind ${kind}" ;;
  esac
  ext="${PKI_DIR}/${name}.ext"
  {
    echo "[leaf]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "keyUsage = critical,digitalSignature"
    echo "extendedKeyUsage = ${eku}"
    echo "subjectKeyIdentifier = hash"
    echo "authorityKeyIdentifier = keyid"
    [[ -z "${sans}" ]] || echo "subjectAltName = ${sans}"
  } >"${ext}"
  openssl req -new -nodes "${PKI_KEY[@]}" -sha256 -config "${OPENSSL_CNF}" -subj "${subj}" \
    -keyout "${PKI_DIR}/${name}.key" -out "${PKI_DIR}/${name}.csr" >>"${LOG_DIR}/pki.log" 2>&1 &&
    openssl x509 -req -sha256 -days 365 -in "${PKI_DIR}/${name}.csr" \
      -CA "${PKI_DIR}/${ca}.crt" -CAkey "${PKI_DIR}/${ca}.key" -set_serial "0x$(openssl rand -hex 16)" \
      -extfile "${ext}" -extensions leaf -out "${PKI_DIR}/${name}.crt" >>"${LOG_DIR}/pki.log" 2>&1 ||
    die "openssl failed creating certificate ${name} (see ${LOG_DIR#"${ROOT}"/}/pki.log)"
  rm -f "${PKI_DIR}/${name}.csr" "${ext}"
}

generate_pki() {
  log "generating PKI in ${PKI_DIR#"${ROOT}"/} (openssl)"
  mkdir -p "${PKI_DIR}"
  chmod 700 "${PKI_DIR}"
  openssl_cnf
  local kas_sans="IP:${KUBE_APISERVER_ADDRESS},DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  local example_sans="IP:127.0.0.1,DNS:localhost,DNS:example-apiserver.example-system.svc,DNS:example-apiserver.example-system.svc.cluster.local"

  # Cluster CA: signs kube-apiserver's serving cert and every client cert
  # kube-apiserver accepts (--client-ca-file); kcm signs CSRs with it.
  pki_ca ca local-up-cluster-ca
  pki_cert ca kube-apiserver "/CN=kube-apiserver" server "${kas_sans}"
  pki_cert ca kube-controller-manager-serving "/CN=kube-controller-manager" server "IP:127.0.0.1,DNS:localhost"
  pki_cert ca admin "/O=system:masters/CN=admin" client
  pki_cert ca kube-controller-manager "/CN=system:kube-controller-manager" client
  pki_cert ca kube-scheduler-serving "/CN=kube-scheduler" server "IP:127.0.0.1,DNS:localhost"
  # The bootstrap RBAC of kube-apiserver knows system:kube-scheduler.
  pki_cert ca kube-scheduler "/CN=system:kube-scheduler" client
  # kwok (artifacts/local/kwok/rbac.yaml) and example-controller-manager
  # (artifacts/local/controller-manager-rbac.yaml): plain users.
  pki_cert ca kwok "/CN=kwok-controller" client
  pki_cert ca example-controller-manager "/CN=example-controller-manager" client
  # example-apiserver's own identity towards kube-apiserver (a plain user;
  # artifacts/local/rbac.yaml binds it).
  pki_cert ca example-apiserver-client "/O=example:apiservers/CN=example-apiserver" client

  # Service-account token signing key pair.
  openssl genrsa -out "${PKI_DIR}/sa.key" 2048 >>"${LOG_DIR}/pki.log" 2>&1 &&
    openssl rsa -in "${PKI_DIR}/sa.key" -pubout -out "${PKI_DIR}/sa.pub" >>"${LOG_DIR}/pki.log" 2>&1 ||
    die "openssl failed creating the service-account key pair"

  # Front proxy: the aggregator authenticates to example-apiserver with this
  # client cert and passes the user in X-Remote-* headers.
  pki_ca front-proxy-ca local-up-front-proxy-ca
  pki_cert front-proxy-ca front-proxy-client "/CN=front-proxy-client" client

  # example-apiserver's serving CA (the APIService caBundle) and serving cert.
  pki_ca example-serving-ca local-up-example-apiserver-ca
  pki_cert example-serving-ca example-apiserver-serving "/CN=example-apiserver.example-system.svc" server "${example_sans}"

  chmod 600 "${PKI_DIR}"/*.key
}
