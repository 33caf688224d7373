# kubectl against the local stack as admin, for hack/local-up.sh: kc, apply.
# Expects ROOT, KUBECTL, ADMIN_KUBECONFIG, LOG_DIR (kubectl.log); apply uses fail (process.sh).
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

kc() { "${KUBECTL}" --kubeconfig "${ADMIN_KUBECONFIG}" "$@"; }

# apply FILE...: kubectl apply, with its output in logs/kubectl.log.
apply() {
  local manifest
  for manifest in "$@"; do
    log "applying ${manifest#"${ROOT}"/}"
    kc apply -f "${manifest}" >>"${LOG_DIR}/kubectl.log" 2>&1 ||
      { tail -n 20 "${LOG_DIR}/kubectl.log" >&2; fail "kubectl apply -f ${manifest#"${ROOT}"/} failed"; }
  done
}
