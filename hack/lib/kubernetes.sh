# The Kubernetes core of hack/local-up.sh: kube-apiserver, kube-scheduler and kwok (the fake Node's kubelet).
# Expects BIN_DIR, PKI_DIR, ARTIFACTS_LOCAL, ETCD_SERVERS, KWOK_NODE, LOGIN_KUBE_APISERVER_FLAGS (the
# login's webhook, hack/lib/ldap.sh), NODE_KUBE_APISERVER_FLAGS (the real node's, hack/lib/node.sh),
# KUBE_APISERVER_ADDRESS and KUBE_APISERVER_ENDPOINT_RECONCILER and the *_PORT, *_KUBECONFIG, *_EXTRA_FLAGS of those three.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# start_kubernetes: kube-apiserver (etcd is up), then kube-scheduler and kwok
# started together and waited for afterwards.
start_kubernetes() {
  local -a extra etcd_tls=()
  [[ "${HA}" != 1 ]] || mapfile -t etcd_tls < <(etcd_client_flags kube-apiserver)

  # kube-apiserver
  read -ra extra <<<"${KUBE_APISERVER_EXTRA_FLAGS:-}"
  start_component kube-apiserver "${BIN_DIR}/kube-apiserver" \
    --bind-address="${KUBE_APISERVER_ADDRESS}" \
    --advertise-address="${KUBE_APISERVER_ADDRESS}" \
    --secure-port="${KUBE_APISERVER_PORT}" \
    --etcd-servers="${ETCD_SERVERS}" \
    "${etcd_tls[@]}" \
    --endpoint-reconciler-type="${KUBE_APISERVER_ENDPOINT_RECONCILER}" \
    --enable-aggregator-routing=false \
    --authorization-mode=Node,RBAC \
    --client-ca-file="${PKI_DIR}/ca.crt" \
    --tls-cert-file="${PKI_DIR}/kube-apiserver.crt" \
    --tls-private-key-file="${PKI_DIR}/kube-apiserver.key" \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="${PKI_DIR}/sa.pub" \
    --service-account-signing-key-file="${PKI_DIR}/sa.key" \
    --service-cluster-ip-range=10.0.0.0/24 \
    --requestheader-client-ca-file="${PKI_DIR}/front-proxy-ca.crt" \
    --requestheader-allowed-names=front-proxy-client \
    --requestheader-extra-headers-prefix=X-Remote-Extra- \
    --requestheader-group-headers=X-Remote-Group \
    --requestheader-username-headers=X-Remote-User \
    --proxy-client-cert-file="${PKI_DIR}/front-proxy-client.crt" \
    --proxy-client-key-file="${PKI_DIR}/front-proxy-client.key" \
    --shutdown-delay-duration=0s \
    --shutdown-watch-termination-grace-period=0s \
    "${LOGIN_KUBE_APISERVER_FLAGS[@]}" \
    "${NODE_KUBE_APISERVER_FLAGS[@]}" \
    "${extra[@]}"
  wait_until "kube-apiserver /readyz on ${KUBE_APISERVER_URL}" kube-apiserver \
    kc get --raw /readyz --request-timeout=5s || fail

  # kube-scheduler (the bootstrap RBAC knows it)
  read -ra extra <<<"${KUBE_SCHEDULER_EXTRA_FLAGS:-}"
  start_component kube-scheduler "${BIN_DIR}/kube-scheduler" \
    --bind-address=127.0.0.1 \
    --secure-port="${KUBE_SCHEDULER_PORT}" \
    --tls-cert-file="${PKI_DIR}/kube-scheduler-serving.crt" \
    --tls-private-key-file="${PKI_DIR}/kube-scheduler-serving.key" \
    --kubeconfig="${SCHEDULER_KUBECONFIG}" \
    --authentication-kubeconfig="${SCHEDULER_KUBECONFIG}" \
    --authorization-kubeconfig="${SCHEDULER_KUBECONFIG}" \
    --leader-elect=false \
    "${extra[@]}"

  # registration manifests, kwok's RBAC and its fake Node
  apply "${ARTIFACTS_LOCAL}/rbac.yaml" "${ROOT}/artifacts/deploy/external-metrics-rbac.yaml" \
    "${ROOT}/artifacts/deploy/user-roles.yaml" "${ROOT}/artifacts/deploy/login-rbac.yaml" \
    "${ARTIFACTS_LOCAL}/kwok/rbac.yaml" "${ARTIFACTS_LOCAL}/kwok/node.yaml"

  # kwok: the kubelet of the Nodes annotated kwok.x-k8s.io/node=fake. Its
  # /healthz (plain HTTP) is on --server-address; Lease heartbeats every 10 s.
  read -ra extra <<<"${KWOK_EXTRA_FLAGS:-}"
  start_component kwok "${BIN_DIR}/kwok" \
    --kubeconfig="${KWOK_KUBECONFIG}" \
    --config="${ARTIFACTS_LOCAL}/kwok/node-stages.yaml" \
    --config="${ARTIFACTS_LOCAL}/kwok/pod-stages.yaml" \
    --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake \
    --server-address="127.0.0.1:${KWOK_PORT}" \
    --node-lease-duration-seconds=40 \
    --cidr=10.244.0.0/16 \
    --node-ip=10.240.0.1 \
    "${extra[@]}"

  wait_until "kube-scheduler /healthz on https://127.0.0.1:${KUBE_SCHEDULER_PORT}" kube-scheduler \
    kc --server="https://127.0.0.1:${KUBE_SCHEDULER_PORT}" get --raw /healthz --request-timeout=5s || fail
  wait_until "kwok /healthz on http://127.0.0.1:${KWOK_PORT}" kwok http_ok 127.0.0.1 "${KWOK_PORT}" /healthz || fail
}

# node_schedulable NODE [TAINT]: Ready=True and no taints but TAINT (not-ready:NoSchedule is
# set when the Node is created).
node_schedulable() {
  local s
  s="$(kc get node "$1" --request-timeout=5s \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} taints:{.spec.taints[*].key}')" || return 1
  printf '%s\n' "${s}"
  [[ "${s}" == "True taints:${2:-}" ]]
}
