# example-controller-manager of hack/local-up.sh: start_example_controller_manager (one process, or in the HA shape two leader-electing replicas), once example.com is served.
# Expects ROOT, BIN_DIR, ARTIFACTS_LOCAL, ECM_KUBECONFIG, EXAMPLE_CONTROLLER_MANAGER_{PORT,EXTRA_FLAGS}, HA (and each replica's EXAMPLE_CONTROLLER_MANAGER_<i>_PORT).
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# example-controller-manager, once the API it watches is served. It serves
# a self-signed certificate: its /healthz is probed without verification.
start_example_controller_manager() {
  local -a extra names=(example-controller-manager)
  local name port_var
  apply "${ROOT}/artifacts/deploy/controller-manager-rbac.yaml" "${ARTIFACTS_LOCAL}/controller-manager-rbac.yaml"
  read -ra extra <<<"${EXAMPLE_CONTROLLER_MANAGER_EXTRA_FLAGS:-}"
  [[ "${HA}" != 1 ]] || mapfile -t names < <(replicas example-controller-manager)
  # Started together (the first to start leads), then waited for.
  for name in "${names[@]}"; do
    port_var="$(var_prefix "${name}")_PORT"
    start_component "${name}" "${BIN_DIR}/example-controller-manager" \
      --kubeconfig="${ECM_KUBECONFIG}" \
      --authentication-kubeconfig="${ECM_KUBECONFIG}" \
      --authorization-kubeconfig="${ECM_KUBECONFIG}" \
      --bind-address=127.0.0.1 \
      --secure-port="${!port_var}" \
      --leader-elect=true \
      --v=2 \
      "${extra[@]}"
  done
  for name in "${names[@]}"; do
    port_var="$(var_prefix "${name}")_PORT"
    wait_until "${name} /healthz on https://127.0.0.1:${!port_var}" "${name}" \
      healthz_ok "https://127.0.0.1:${!port_var}/healthz" || fail
  done
}
