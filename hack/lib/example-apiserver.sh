# example-apiserver of hack/local-up.sh: start_example_apiserver (one process, or in the HA shape two replicas behind HAProxy), then its APIServices registered and Available.
# Expects BIN_DIR, PKI_DIR, LOG_DIR, MANIFEST_DIR, ARTIFACTS_LOCAL, ETCD_SERVERS, EXAMPLE_CONFIG, EXAMPLE_KUBECONFIG, EXAMPLE_APISERVER_{PORT,URL,EXTRA_FLAGS}, HA (and each replica's EXAMPLE_APISERVER_<i>_PORT).
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

start_example_apiserver() {
  if [[ "${HA}" != 1 ]]; then
    start_example_apiserver_process example-apiserver
    wait_example_apiserver_ready example-apiserver
  else
    # The replicas start together and are waited for, then the load balancer in front.
    local name port_var backends=()
    while read -r name; do
      start_example_apiserver_process "${name}"
      port_var="$(var_prefix "${name}")_PORT"
      backends+=("${name}=${!port_var}")
    done < <(replicas example-apiserver)
    while read -r name; do
      wait_example_apiserver_ready "${name}"
    done < <(replicas example-apiserver)
    start_haproxy "${EXAMPLE_APISERVER_PORT}" "${backends[@]}"
  fi
  register_example_apiserver
}

# start_example_apiserver_process NAME: the process NAME (example-apiserver, or a replica) on
# its recorded port (<NAME>_PORT).
start_example_apiserver_process() {
  local name="$1" port_var
  local -a extra etcd_tls=()
  port_var="$(var_prefix "${name}")_PORT"
  read -ra extra <<<"${EXAMPLE_APISERVER_EXTRA_FLAGS:-}"
  # The flags below win over the config file's etcd settings.
  [[ -z "${EXAMPLE_CONFIG}" ]] || extra=(--config="${EXAMPLE_CONFIG}" "${extra[@]}")
  [[ "${HA}" != 1 ]] || mapfile -t etcd_tls < <(etcd_client_flags example-apiserver)
  start_component "${name}" "${BIN_DIR}/example-apiserver" \
    --bind-address=127.0.0.1 \
    --secure-port="${!port_var}" \
    --tls-cert-file="${PKI_DIR}/example-apiserver-serving.crt" \
    --tls-private-key-file="${PKI_DIR}/example-apiserver-serving.key" \
    --kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authentication-kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authorization-kubeconfig="${EXAMPLE_KUBECONFIG}" \
    --authorization-always-allow-paths=/healthz,/readyz,/livez \
    --etcd-servers="${ETCD_SERVERS}" \
    "${etcd_tls[@]}" \
    --etcd-prefix=/registry/example.com \
    --audit-log-path="${LOG_DIR}/${name}-audit.log" \
    --audit-policy-file="${ARTIFACTS_LOCAL}/audit-policy.yaml" \
    "${extra[@]}"
}

# wait_example_apiserver_ready NAME: NAME's /readyz answers ok on its own port.
wait_example_apiserver_ready() {
  local port_var
  port_var="$(var_prefix "$1")_PORT"
  wait_until "$1 /readyz on https://127.0.0.1:${!port_var}" "$1" \
    kc --server="https://127.0.0.1:${!port_var}" --certificate-authority="${PKI_DIR}/example-serving-ca.crt" \
    get --raw /readyz --request-timeout=5s || fail
}

# register_example_apiserver: the APIServices (+ ExternalName Service) at
# EXAMPLE_APISERVER_PORT: the process, or HAProxy in front of the replicas.
register_example_apiserver() {
  local serving=example-apiserver
  [[ "${HA}" != 1 ]] || serving=haproxy
  local rendered="${MANIFEST_DIR}/apiservice.yaml"
  sed -e "s|__EXAMPLE_APISERVER_PORT__|${EXAMPLE_APISERVER_PORT}|g" \
    -e "s|__EXAMPLE_CA_BUNDLE__|$(base64 -w0 <"${PKI_DIR}/example-serving-ca.crt")|g" \
    "${ARTIFACTS_LOCAL}/apiservice.yaml.tmpl" >"${rendered}"
  apply "${rendered}"
  local apiservice
  for apiservice in v1.example.com v2.example.com v1beta1.external.metrics.k8s.io v1alpha1.login.example.com; do
    if ! wait_until "APIService ${apiservice} Available=True" "${serving}" apiservice_available "${apiservice}"; then
      log "APIService ${apiservice} conditions:"
      kc get apiservice "${apiservice}" \
        -o jsonpath='{range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{"\n"}{end}' >&2 || true
      fail "APIService ${apiservice} did not become Available"
    fi
  done
  local version
  for version in v1 v2; do
    kc get --raw "/apis/example.com/${version}" >/dev/null || fail "kubectl get --raw /apis/example.com/${version} failed"
  done
  # The aggregator merges our OpenAPI a moment after the APIService turns Available;
  # until then kubectl explain (and server-side apply from kubectl) cannot see the kinds.
  wait_until "OpenAPI v3 of example.com/v1 and v2 published by kube-apiserver" "${serving}" openapi_published || fail
}

openapi_published() {
  local paths
  paths="$(kc get --raw /openapi/v3 --request-timeout=5s)" || return 1
  [[ "${paths}" == *'"apis/example.com/v1"'* && "${paths}" == *'"apis/example.com/v2"'* ]]
}

apiservice_available() {
  local s
  s="$(kc get apiservice "$1" --request-timeout=5s \
    -o jsonpath='{.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Available")].message}')" || return 1
  printf '%s\n' "${s}"
  [[ "${s}" == True* ]]
}
