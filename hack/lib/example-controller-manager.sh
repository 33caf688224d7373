# example-controller-manager of hack/local-up.sh: start_example_controller_manager, once example.com is served.
# Expects ROOT, BIN_DIR, ARTIFACTS_LOCAL, ECM_KUBECONFIG, EXAMPLE_CONTROLLER_MANAGER_{PORT,EXTRA_FLAGS}.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# example-controller-manager, once the API it watches is served. It serves
# a self-signed certificate: its /healthz is probed without verification.
start_example_controller_manager() {
  local -a extra
  apply "${ROOT}/artifacts/deploy/controller-manager-rbac.yaml" "${ARTIFACTS_LOCAL}/controller-manager-rbac.yaml"
  read -ra extra <<<"${EXAMPLE_CONTROLLER_MANAGER_EXTRA_FLAGS:-}"
  start_component example-controller-manager "${BIN_DIR}/example-controller-manager" \
    --kubeconfig="${ECM_KUBECONFIG}" \
    --authentication-kubeconfig="${ECM_KUBECONFIG}" \
    --authorization-kubeconfig="${ECM_KUBECONFIG}" \
    --bind-address=127.0.0.1 \
    --secure-port="${EXAMPLE_CONTROLLER_MANAGER_PORT}" \
    --leader-elect=true \
    --v=2 \
    "${extra[@]}"
  wait_until "example-controller-manager /healthz on https://127.0.0.1:${EXAMPLE_CONTROLLER_MANAGER_PORT}" example-controller-manager \
    healthz_ok "https://127.0.0.1:${EXAMPLE_CONTROLLER_MANAGER_PORT}/healthz" || fail
}
