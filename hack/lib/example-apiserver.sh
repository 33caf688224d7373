# example-apiserver of hack/local-up.sh: start_example_apiserver, then its APIServices registered and Available.
# Expects BIN_DIR, PKI_DIR, LOG_DIR, MANIFEST_DIR, ARTIFACTS_LOCAL, ETCD_SERVERS, EXAMPLE_CONFIG, EXAMPLE_KUBECONFIG, EXAMPLE_APISERVER_{PORT,URL,EXTRA_FLAGS}.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

start_example_apiserver() {
  local -a extra
  # example-apiserver
  read -ra extra <<<"${EXAMPLE_APISERVER_EXTRA_FLAGS:-}"
  # The flags below win over the config file's etcd settings.
  [[ -z "${EXAMPLE_CONFIG}" ]] || extra=(--config="${EXAMPLE_CONFIG}" "${extra[@]}")
  start_component example-apiserver "${BIN_DIR}/example-apiserver" \
    --bind-address=127.0.0.1 \
    --secure-port="${EXAMPLE_APISERVER_PORT}" \
    --tls-cert-file="${PKI_DIR}/example-apiserver-serving.crt" \
    --tls-private-key-file="${PKI_DIR}/example-apiserver-serving.key" \
    --kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authentication-kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authorization-kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authorization-always-allow-paths=/healthz,/readyz,/livez \
    --etcd-servers="${ETCD_SERVERS}" \
    --etcd-prefix=/registry/example.com \
    --audit-log-path="${LOG_DIR}/example-apiserver-audit.log" \
    --audit-policy-file="${ARTIFACTS_LOCAL}/audit-policy.yaml" \
    "${extra[@]}"
  wait_until "example-apiserver /readyz on ${EXAMPLE_APISERVER_URL}" example-apiserver \
    kc --server="${EXAMPLE_APISERVER_URL}" --certificate-authority="${PKI_DIR}/example-serving-ca.crt" \
    get --raw /readyz --request-timeout=5s || fail

  # APIService (+ ExternalName Service) pointing at example-apiserver's port
  local rendered="${MANIFEST_DIR}/apiservice.yaml"
  sed -e "s|__EXAMPLE_APISERVER_PORT__|${EXAMPLE_APISERVER_PORT}|g" \
    -e "s|__EXAMPLE_CA_BUNDLE__|$(base64 -w0 <"${PKI_DIR}/example-serving-ca.crt")|g" \
    "${ARTIFACTS_LOCAL}/apiservice.yaml.tmpl" >"${rendered}"
  apply "${rendered}"
  local apiservice
  for apiservice in v1.example.com v1beta1.external.metrics.k8s.io; do
    if ! wait_until "APIService ${apiservice} Available=True" example-apiserver apiservice_available "${apiservice}"; then
      log "APIService ${apiservice} conditions:"
      kc get apiservice "${apiservice}" \
        -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}' >&2 || true
      fail "APIService ${apiservice} did not become Available"
    fi
  done
  kc get --raw /apis/example.com/v1 >/dev/null || fail "kubectl get --raw /apis/example.com/v1 failed"
  # The aggregator merges our OpenAPI a moment after the APIService turns Available;
  # until then kubectl explain (and server-side apply from kubectl) cannot see the kinds.
  wait_until "OpenAPI v3 of example.com/v1 published by kube-apiserver" example-apiserver openapi_published || fail
}

openapi_published() {
  local paths
  paths="$(kc get --raw /openapi/v3 --request-timeout=5s)" || return 1
  [[ "${paths}" == *'"apis/example.com/v1"'* ]]
}

apiservice_available() {
  local s
  s="$(kc get apiservice "$1" --request-timeout=5s \
    -o jsonpath='{.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}')" || return 1
  printf '%s\n' "${s}"
  [[ "${s}" == True* ]]
}
