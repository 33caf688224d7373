# Process supervision of hack/local-up.sh: the env file (env_set), start/stop by PID, down, status, logs.
# Expects ROOT, ENV_FILE, LOG_DIR, ADMIN_KUBECONFIG, COMPONENTS (start order), STOP_TIMEOUT.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# var_prefix kube-apiserver -> KUBE_APISERVER
var_prefix() {
  local p="${1^^}"
  printf '%s' "${p//-/_}"
}

# env_set KEY VALUE: set in this shell and append to the env file (later
# lines win when it is sourced).
env_set() {
  printf -v "$1" '%s' "$2"
  printf '%s=%q\n' "$1" "$2" >>"${ENV_FILE}"
}

# is_alive PID: running and not a zombie.
is_alive() {
  local pid="$1" stat
  [[ -n "${pid}" ]] || return 1
  stat="$(cat "/proc/${pid}/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ "${stat:0:1}" != Z ]]
}

# is_ours PID BIN: alive and still running BIN (guards against PID reuse).
is_ours() {
  local pid="$1" bin="$2" exe
  is_alive "${pid}" || return 1
  exe="$(readlink "/proc/${pid}/exe" 2>/dev/null)" || return 1
  [[ "${exe}" == "${bin}" || "${exe}" == "${bin} (deleted)" ]]
}

component_pid() {
  local v
  v="$(var_prefix "$1")_PID"
  printf '%s' "${!v:-}"
}
component_bin() {
  local v
  v="$(var_prefix "$1")_BIN"
  printf '%s' "${!v:-}"
}
component_running() {
  local pid bin
  pid="$(component_pid "$1")"
  bin="$(component_bin "$1")"
  [[ -n "${pid}" && -n "${bin}" ]] && is_ours "${pid}" "${bin}"
}

# start_component NAME BIN ARGS...: start detached (own session, so a Ctrl-C
# in the terminal reaches only this script, which then stops things in order)
# and record PID and binary in the env file.
start_component() {
  local name="$1" bin="$2" prefix pid logf
  shift 2
  prefix="$(var_prefix "${name}")"
  logf="${LOG_DIR}/${name}.log"
  [[ -x "${bin}" ]] || die "${bin} not found"
  log "starting ${name} (log: ${logf#"${ROOT}"/})"
  printf '# %s\n' "$(printf '%q ' "${bin}" "$@")" >"${logf}"
  if command -v setsid >/dev/null 2>&1; then
    # bash without job control does not make the child a process-group
    # leader, so setsid(1) calls setsid(2) and execs in place: $! is the
    # component's PID.
    setsid "${bin}" "$@" </dev/null >>"${logf}" 2>&1 &
  else
    "${bin}" "$@" </dev/null >>"${logf}" 2>&1 &
  fi
  pid=$!
  env_set "${prefix}_PID" "${pid}"
  # Canonical path: /proc/PID/exe shows the resolved one (symlinked checkouts).
  local resolved tries
  resolved="$(readlink -f "${bin}")"
  env_set "${prefix}_BIN" "${resolved}"
  env_set "${prefix}_LOG" "${logf}"
  # Until the child has exec'd the component, /proc/PID/exe is bash or setsid and is_ours
  # would take it for exited: a probe right after the start (the HA shape starts replicas
  # back to back) or a `down` then would pass it by.
  for ((tries = 0; tries < 50; tries++)); do
    if ! is_alive "${pid}" || is_ours "${pid}" "${resolved}"; then
      break
    fi
    sleep 0.1
  done
}

# stop_pid NAME PID BIN: SIGTERM, wait, SIGKILL after STOP_TIMEOUT.
stop_pid() {
  local name="$1" pid="$2" bin="$3" start
  if ! is_ours "${pid}" "${bin}"; then
    log "${name} (pid ${pid}) is not running"
    return 0
  fi
  log "stopping ${name} (pid ${pid}) ..."
  start=${SECONDS}
  kill -TERM "${pid}" 2>/dev/null || true
  while is_alive "${pid}" && ((SECONDS - start < STOP_TIMEOUT)); do
    sleep 0.2
  done
  if is_alive "${pid}"; then
    log "${name} (pid ${pid}) still running ${STOP_TIMEOUT}s after SIGTERM; sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    start=${SECONDS}
    while is_alive "${pid}" && ((SECONDS - start < 10)); do
      sleep 0.2
    done
  fi
  # Reap it if it is our child (run mode); harmless otherwise.
  wait "${pid}" 2>/dev/null || true
  if is_alive "${pid}"; then
    log "ERROR: ${name} (pid ${pid}) did not exit"
    return 1
  fi
  log "${name} stopped after $((SECONDS - start))s"
}

# recorded_components: after sourcing the env file, COMPONENTS are those of the shape that was
# brought up (HA or not), so `down` stops every replica whatever LOCAL_UP_HA says now.
recorded_components() {
  [[ -z "${LOCAL_UP_COMPONENTS:-}" ]] || read -ra COMPONENTS <<<"${LOCAL_UP_COMPONENTS}"
}

DOWN_DONE=0
down() {
  ((DOWN_DONE == 0)) || return 0
  DOWN_DONE=1
  if [[ ! -f "${ENV_FILE}" ]]; then
    log "nothing recorded in ${ENV_FILE#"${ROOT}"/}; nothing to stop"
    return 0
  fi
  # shellcheck disable=SC1090
  source "${ENV_FILE}"
  recorded_components
  local failed=0 i name pid bin
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    name="${COMPONENTS[i]}"
    pid="$(component_pid "${name}")"
    bin="$(component_bin "${name}")"
    [[ -n "${pid}" ]] || continue
    # A component's file may define before_stop_<name> (hack/lib/node.sh: containerd's pods).
    if declare -F "before_stop_${name//-/_}" >/dev/null; then
      "before_stop_${name//-/_}" || failed=1
    fi
    stop_pid "${name}" "${pid}" "${bin}" || failed=1
  done
  # And after_stop, once every process is stopped (hack/lib/node.sh: the bridge, rules, mounts).
  if declare -F after_stop >/dev/null; then
    after_stop || failed=1
  fi
  # Verify that no recorded PID remains.
  for name in "${COMPONENTS[@]}"; do
    pid="$(component_pid "${name}")"
    bin="$(component_bin "${name}")"
    if [[ -n "${pid}" ]] && is_ours "${pid}" "${bin}"; then
      log "ERROR: ${name} (pid ${pid}) is still running"
      failed=1
    fi
  done
  if ((failed)); then
    log "ERROR: not everything stopped; ${ENV_FILE#"${ROOT}"/} kept"
    return 1
  fi
  mv -f "${ENV_FILE}" "${ENV_FILE}.stopped"
  log "everything stopped (logs kept in ${LOG_DIR#"${ROOT}"/})"
}

status() {
  if [[ ! -f "${ENV_FILE}" ]]; then
    log "not running (no ${ENV_FILE#"${ROOT}"/})"
    return 1
  fi
  # shellcheck disable=SC1090
  source "${ENV_FILE}"
  recorded_components
  local name pid rc=0 port v
  for name in "${COMPONENTS[@]}"; do
    pid="$(component_pid "${name}")"
    v="$(var_prefix "${name}")_PORT"
    port="${!v:-}"
    if [[ -z "${pid}" ]]; then
      printf '%-27s not started\n' "${name}"
    elif component_running "${name}"; then
      printf '%-27s running  pid %-8s port %s\n' "${name}" "${pid}" "${port}"
    else
      printf '%-27s EXITED   pid %-8s (see %s)\n' "${name}" "${pid}" "${LOG_DIR#"${ROOT}"/}/${name}.log"
      rc=1
    fi
  done
  printf 'export KUBECONFIG=%s\n' "${ADMIN_KUBECONFIG}"
  return "${rc}"
}

dump_logs() {
  local f
  for f in "${LOG_DIR}"/*.log; do
    [[ -f "${f}" ]] || continue
    case "${f}" in *-audit.log | */pki.log) continue ;; esac
    printf '\n----- last 40 lines of %s -----\n' "${f#"${ROOT}"/}" >&2
    tail -n 40 "${f}" >&2 || true
  done
  printf -- '-----\n' >&2
}

# fail [MSG]: log MSG, show the tail of every component log, exit 1.
FAILED_MSG=""
fail() {
  FAILED_MSG="${1:-}"
  [[ -z "${FAILED_MSG}" ]] || log "ERROR: ${FAILED_MSG}"
  dump_logs
  exit 1
}
