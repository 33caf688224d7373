# kube-controller-manager of hack/local-up.sh: start_kube_controller_manager, with the controllers of KCM_CONTROLLERS.
# Expects BIN_DIR, PKI_DIR, KCM_KUBECONFIG, KCM_CONTROLLERS, KUBE_CONTROLLER_MANAGER_{PORT,DISABLED_CONTROLLERS,EXTRA_FLAGS}.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# kube-controller-manager (the bootstrap RBAC knows it).
start_kube_controller_manager() {
  local -a extra
  local controllers name
  local -a disabled enabled=()
  # --controllers cannot be overridden through the extra flags: kcm appends a
  # repeated flag's list, and its first mention of a controller wins.
  IFS=, read -ra disabled <<<"${KUBE_CONTROLLER_MANAGER_DISABLED_CONTROLLERS:-}"
  for name in "${KCM_CONTROLLERS[@]}"; do
    [[ " ${disabled[*]} " == *" ${name} "* ]] || enabled+=("${name}")
  done
  controllers="$(IFS=,; printf '%s' "${enabled[*]}")"
  read -ra extra <<<"${KUBE_CONTROLLER_MANAGER_EXTRA_FLAGS:-}"
  start_component kube-controller-manager "${BIN_DIR}/kube-controller-manager" \
    --bind-address=127.0.0.1 \
    --secure-port="${KUBE_CONTROLLER_MANAGER_PORT}" \
    --tls-cert-file="${PKI_DIR}/kube-controller-manager-serving.crt" \
    --tls-private-key-file="${PKI_DIR}/kube-controller-manager-serving.key" \
    --kubeconfig="${KCM_KUBECONFIG}" \
    --authentication-kubeconfig="${KCM_KUBECONFIG}" \
    --authorization-kubeconfig="${KCM_KUBECONFIG}" \
    --leader-elect=false \
    --use-service-account-credentials=true \
    --service-account-private-key-file="${PKI_DIR}/sa.key" \
    --root-ca-file="${PKI_DIR}/ca.crt" \
    --cluster-signing-cert-file="${PKI_DIR}/ca.crt" \
    --cluster-signing-key-file="${PKI_DIR}/ca.key" \
    --controllers="${controllers}" \
    "${extra[@]}"
  wait_until "kube-controller-manager /healthz on https://127.0.0.1:${KUBE_CONTROLLER_MANAGER_PORT}" kube-controller-manager \
    kc --server="https://127.0.0.1:${KUBE_CONTROLLER_MANAGER_PORT}" get --raw /healthz --request-timeout=5s || fail
}
