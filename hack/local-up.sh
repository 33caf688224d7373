#!/usr/bin/env bash
# SC2015: `a && b || die` means "die if either fails" here.
# SC2153: the upper-case settings are assigned by env_set (printf -v).
# shellcheck disable=SC2015,SC2153
# A local control plane for developing example-apiserver, all on 127.0.0.1:
# etcd, kube-apiserver (with the aggregator), kube-controller-manager,
# kube-scheduler, kwok playing the kubelet of one fake Node (kwok-node-0),
# example-apiserver registered as the APIService v1.example.com and
# example-controller-manager.
#
# Pods really run, on the fake Node: scheduled there, Pending -> Running, and
# (restartPolicy Never/OnFailure, as a Job's) finished 1-2 s later. The image
# of a pod's first container chooses the ending (artifacts/local/kwok/pod-stages.yaml):
#   kwok.example.com/fail:1   the pod fails (exit code 1) after 1-2 s
#   kwok.example.com/hang:1   the pod runs until it is deleted
#   any other image           the pod succeeds (exit code 0) after 1-2 s
#
# Usage: hack/local-up.sh run|up|down|status
#   run     start everything in the foreground; Ctrl-C / SIGTERM stops it all
#   up      start everything detached; returns once everything is ready
#   down    stop everything recorded in _output/local/env (by PID)
#   status  show what is recorded and whether it still runs
#
# State lives in _output/local/ (wiped by each run/up): env (sourceable: ports,
# PIDs, paths, KUBECONFIG), logs/*.log, pki/, kubeconfig (admin),
# <component>.kubeconfig (each component's own identity), manifests/ (rendered
# artifacts/local templates), data/etcd.
#
# Needs: the binaries from hack/build-tools.sh (built automatically), openssl,
# curl, and _output/bin/example-apiserver and example-controller-manager
# (make build) unless skipped below.
#
# Environment:
#   LOCAL_UP_DIR=_output/local  where the state lives (the e2e suite uses its own, so it
#                               never touches a stack a developer has up)
#   LOCAL_UP_SKIP_EXAMPLE=1   do not start example-apiserver nor register the APIService
#                             (nor example-controller-manager, which needs its API)
#   LOCAL_UP_SKIP_CONTROLLER=1  do not start example-controller-manager
#   KUBE_CONTROLLER_MANAGER_DISABLED_CONTROLLERS=a,b  controllers of the list below
#                             that kube-controller-manager does not run (make
#                             bench-controller runs cronjob-controller in a process
#                             of its own, to measure it alone)
#   EXAMPLE_APISERVER_CONFIG  example-apiserver's --config file
#                             (default artifacts/config/example-apiserver.yaml; empty: none)
#   LOCAL_UP_SKIP_BUILD=1     do not run hack/build-tools.sh first
#   LOCAL_UP_TIMEOUT=120      seconds to wait for each component to become ready
#   LOCAL_UP_STOP_TIMEOUT=30  seconds to wait after SIGTERM before SIGKILL
#   KUBE_APISERVER_EXTRA_FLAGS, KUBE_CONTROLLER_MANAGER_EXTRA_FLAGS,
#   KUBE_SCHEDULER_EXTRA_FLAGS, KWOK_EXTRA_FLAGS, EXAMPLE_APISERVER_EXTRA_FLAGS,
#   EXAMPLE_CONTROLLER_MANAGER_EXTRA_FLAGS, ETCD_EXTRA_FLAGS   extra flags (word-split)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN_DIR="${ROOT}/_output/bin"
LOCAL_DIR="${LOCAL_UP_DIR:-${ROOT}/_output/local}"
ENV_FILE="${LOCAL_DIR}/env"
LOG_DIR="${LOCAL_DIR}/logs"
PKI_DIR="${LOCAL_DIR}/pki"
DATA_DIR="${LOCAL_DIR}/data"
MANIFEST_DIR="${LOCAL_DIR}/manifests"
ADMIN_KUBECONFIG="${LOCAL_DIR}/kubeconfig"
EXAMPLE_KUBECONFIG="${LOCAL_DIR}/example-apiserver.kubeconfig"
KCM_KUBECONFIG="${LOCAL_DIR}/kube-controller-manager.kubeconfig"
SCHEDULER_KUBECONFIG="${LOCAL_DIR}/kube-scheduler.kubeconfig"
KWOK_KUBECONFIG="${LOCAL_DIR}/kwok.kubeconfig"
ECM_KUBECONFIG="${LOCAL_DIR}/example-controller-manager.kubeconfig"
ARTIFACTS_LOCAL="${ROOT}/artifacts/local"
# The fake Node artifacts/local/kwok/node.yaml declares.
KWOK_NODE=kwok-node-0
KUBECTL="${BIN_DIR}/kubectl"

WAIT_TIMEOUT="${LOCAL_UP_TIMEOUT:-120}"
STOP_TIMEOUT="${LOCAL_UP_STOP_TIMEOUT:-30}"
SKIP_EXAMPLE="${LOCAL_UP_SKIP_EXAMPLE:-0}"
SKIP_CONTROLLER="${LOCAL_UP_SKIP_CONTROLLER:-0}"
[[ "${SKIP_EXAMPLE}" != 1 ]] || SKIP_CONTROLLER=1
EXAMPLE_CONFIG="${EXAMPLE_APISERVER_CONFIG-${ROOT}/artifacts/config/example-apiserver.yaml}"

# Start order; `down` stops them in reverse (clients of kube-apiserver first,
# so that it has no open watches to wait for, then etcd last).
COMPONENTS=(etcd kube-apiserver kube-scheduler kwok example-apiserver kube-controller-manager example-controller-manager)

# Controllers worth having with fake nodes and no real kubelets (names as
# listed by kube-controller-manager --help in v1.37: all end in -controller).
KCM_CONTROLLERS=(
  namespace-controller
  # Also collects the Jobs (and their pods) of a deleted owner.
  garbage-collector-controller
  serviceaccount-controller
  serviceaccount-token-controller
  root-ca-certificate-publisher-controller
  clusterrole-aggregation-controller
  deployment-controller
  replicaset-controller
  horizontal-pod-autoscaler-controller
  job-controller
  # The upstream CronJob controller: the baseline our CronTab controller is measured against.
  cronjob-controller
  ttl-after-finished-controller
  # Pods of deleted nodes, and more finished pods than --terminated-pod-gc-threshold.
  pod-garbage-collector-controller
  # Takes node.kubernetes.io/not-ready:NoSchedule (set when a Node is created)
  # off the Node once it is Ready; watches kwok's Lease heartbeats after that.
  node-lifecycle-controller
)

# Never fails: a closed stderr (e.g. `run | tee` after Ctrl-C) must not stop
# the cleanup.
log() { printf '[local-up %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2 2>/dev/null || true; }
die() {
  log "ERROR: $*"
  exit 1
}

usage() {
  sed -n '5,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------
# env file and process bookkeeping

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
  env_set "${prefix}_BIN" "$(readlink -f "${bin}")"
  env_set "${prefix}_LOG" "${logf}"
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
  local failed=0 i name pid bin
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    name="${COMPONENTS[i]}"
    pid="$(component_pid "${name}")"
    bin="$(component_bin "${name}")"
    [[ -n "${pid}" ]] || continue
    stop_pid "${name}" "${pid}" "${bin}" || failed=1
  done
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

# ---------------------------------------------------------------------------
# ports and probes (bash only: CI has no python)

PICKED_PORTS=()
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# pick_port VAR: a port nothing listens on, below the kernel's ephemeral range
# (so outgoing connections do not take it meanwhile), not picked before.
pick_port() {
  local lo=20000 hi=32000 eph_lo eph_hi p i
  if read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
    if ((eph_lo > 11000)); then
      lo=10000 hi=$((eph_lo - 1))
    else
      lo=$((eph_hi + 1)) hi=65535
    fi
  fi
  for ((i = 0; i < 1000; i++)); do
    p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
    [[ " ${PICKED_PORTS[*]-} " == *" ${p} "* ]] && continue
    port_in_use "${p}" && continue
    PICKED_PORTS+=("${p}")
    printf -v "$1" '%s' "${p}"
    return 0
  done
  die "found no free port in ${lo}-${hi}"
}

# http_ok HOST PORT PATH: plain-HTTP GET answers 200 (etcd /health).
http_ok() {
  local resp
  # shellcheck disable=SC2016 # the inner script expands its own arguments
  resp="$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    printf "GET %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n\r\n" "$2" "$0" "$1" >&3
    cat <&3' "$1" "$2" "$3" 2>&1)" || {
    printf '%s\n' "${resp:-connection failed}"
    return 1
  }
  printf '%s\n' "${resp##*$'\r\n'}"
  [[ "${resp}" == "HTTP/1."?" 200 "* ]]
}

kc() { "${KUBECTL}" --kubeconfig "${ADMIN_KUBECONFIG}" "$@"; }

# summarize TEXT: the failing checks of a /readyz answer, else the text, short.
summarize() {
  local t="$1" failed
  failed="$(grep -F '[-]' <<<"${t}" | head -n 5 || true)"
  [[ -z "${failed}" ]] || t="${failed}"
  t="${t//$'\n'/ }"
  ((${#t} <= 300)) || t="${t:0:300}..."
  printf '%s' "${t}"
}

# wait_until WHAT COMPONENT CMD...: poll CMD every 0.5s until it succeeds,
# COMPONENT exits, or WAIT_TIMEOUT passes; progress line every 10s.
wait_until() {
  local what="$1" comp="$2" start out next
  shift 2
  start=${SECONDS}
  next=$((SECONDS + 10))
  log "waiting for ${what} (timeout ${WAIT_TIMEOUT}s) ..."
  while true; do
    if out="$("$@" 2>&1)"; then
      log "${what}: ready after $((SECONDS - start))s"
      return 0
    fi
    if [[ -n "${comp}" ]] && ! component_running "${comp}"; then
      log "ERROR: ${comp} exited while waiting for ${what}; last probe said: $(summarize "${out}")"
      return 1
    fi
    if ((SECONDS - start >= WAIT_TIMEOUT)); then
      log "ERROR: timed out after ${WAIT_TIMEOUT}s waiting for ${what}; last probe said: $(summarize "${out}")"
      return 1
    fi
    if ((SECONDS >= next)); then
      log "  ... still waiting for ${what} ($((SECONDS - start))s): $(summarize "${out}")"
      next=$((SECONDS + 10))
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------------------
# PKI (openssl)

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

# pki_cert CA NAME SUBJECT server|client [SAN,...]: leaf NAME.crt/NAME.key signed by CA
pki_cert() {
  local ca="$1" name="$2" subj="$3" kind="$4" sans="${5:-}" ext eku
  case "${kind}" in
    server) eku=serverAuth ;;
    client) eku=clientAuth ;;
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

generate_pki() {
  log "generating PKI in ${PKI_DIR#"${ROOT}"/} (openssl)"
  mkdir -p "${PKI_DIR}"
  chmod 700 "${PKI_DIR}"
  openssl_cnf
  local kas_sans="IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
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

# ---------------------------------------------------------------------------
# bring-up

# check_our_binary NAME HOW_TO_SKIP: _output/bin/NAME exists (else die); warn
# when the sources are newer than it.
check_our_binary() {
  local bin="${BIN_DIR}/$1" newer=""
  [[ -x "${bin}" ]] || die "${bin#"${ROOT}"/} missing: build it with make build
  (or set $2)"
  [[ ! "${ROOT}/go.mod" -nt "${bin}" ]] || newer="${ROOT}/go.mod"
  [[ ! "${ROOT}/go.sum" -nt "${bin}" ]] || newer="${ROOT}/go.sum"
  [[ -n "${newer}" ]] || newer="$(find "${ROOT}/cmd" "${ROOT}/pkg" -name '*.go' ! -name '*_test.go' \
    -newer "${bin}" -print -quit 2>/dev/null || true)"
  [[ -z "${newer}" ]] || log "WARNING: ${bin#"${ROOT}"/} is older than ${newer#"${ROOT}"/}; rebuild it to test your changes"
}

preflight() {
  command -v openssl >/dev/null 2>&1 || die "openssl not found (Debian: apt-get install -y openssl)"
  command -v base64 >/dev/null 2>&1 || die "base64 not found (coreutils)"
  command -v curl >/dev/null 2>&1 || die "curl not found (Debian: apt-get install -y curl)"
  if [[ "${LOCAL_UP_SKIP_BUILD:-0}" != 1 ]]; then
    "${ROOT}/hack/build-tools.sh" || die "hack/build-tools.sh failed"
  fi
  local t
  for t in etcd kube-apiserver kube-controller-manager kube-scheduler kubectl kwok; do
    [[ -x "${BIN_DIR}/${t}" ]] || die "${BIN_DIR#"${ROOT}"/}/${t} missing: run hack/build-tools.sh"
  done
  if [[ "${SKIP_EXAMPLE}" != 1 ]]; then
    check_our_binary example-apiserver "LOCAL_UP_SKIP_EXAMPLE=1 to start only the Kubernetes components"
  fi
  if [[ "${SKIP_CONTROLLER}" != 1 ]]; then
    check_our_binary example-controller-manager "LOCAL_UP_SKIP_CONTROLLER=1 to start all but example-controller-manager"
  fi
  if [[ -f "${ENV_FILE}" ]]; then
    # shellcheck disable=SC1090
    source "${ENV_FILE}"
    local name
    for name in "${COMPONENTS[@]}"; do
      if component_running "${name}"; then
        die "already running (${name} pid $(component_pid "${name}")); stop it with: hack/local-up.sh down"
      fi
    done
  fi
}

start_all() {
  # Fresh state every time.
  rm -rf "${PKI_DIR}" "${DATA_DIR}" "${LOG_DIR}" "${MANIFEST_DIR}" "${ENV_FILE}" "${ENV_FILE}.stopped" \
    "${ADMIN_KUBECONFIG}" "${EXAMPLE_KUBECONFIG}" "${KCM_KUBECONFIG}" "${SCHEDULER_KUBECONFIG}" \
    "${KWOK_KUBECONFIG}" "${ECM_KUBECONFIG}"
  mkdir -p "${LOG_DIR}" "${DATA_DIR}" "${MANIFEST_DIR}"

  local etcd_port etcd_peer_port kas_port kcm_port scheduler_port kwok_port ex_port ecm_port
  pick_port etcd_port
  pick_port etcd_peer_port
  pick_port kas_port
  pick_port kcm_port
  pick_port scheduler_port
  pick_port kwok_port
  pick_port ex_port
  pick_port ecm_port

  {
    echo "# Written by hack/local-up.sh; source it to use the local control plane."
    printf 'export KUBECONFIG=%q\n' "${ADMIN_KUBECONFIG}"
  } >"${ENV_FILE}"
  env_set LOCAL_UP_DIR "${LOCAL_DIR}"
  env_set LOCAL_UP_LOG_DIR "${LOG_DIR}"
  env_set LOCAL_UP_PKI_DIR "${PKI_DIR}"
  env_set LOCAL_UP_BIN_DIR "${BIN_DIR}"
  env_set ADMIN_KUBECONFIG "${ADMIN_KUBECONFIG}"
  env_set EXAMPLE_APISERVER_KUBECONFIG "${EXAMPLE_KUBECONFIG}"
  env_set ETCD_PORT "${etcd_port}"
  env_set ETCD_PEER_PORT "${etcd_peer_port}"
  env_set ETCD_SERVERS "http://127.0.0.1:${etcd_port}"
  env_set KUBE_APISERVER_PORT "${kas_port}"
  env_set KUBE_APISERVER_URL "https://127.0.0.1:${kas_port}"
  env_set KUBE_CONTROLLER_MANAGER_PORT "${kcm_port}"
  env_set KUBE_SCHEDULER_PORT "${scheduler_port}"
  env_set KUBE_SCHEDULER_KUBECONFIG "${SCHEDULER_KUBECONFIG}"
  env_set KWOK_PORT "${kwok_port}"
  env_set KWOK_KUBECONFIG "${KWOK_KUBECONFIG}"
  env_set KWOK_NODE "${KWOK_NODE}"
  env_set EXAMPLE_APISERVER_PORT "${ex_port}"
  env_set EXAMPLE_APISERVER_URL "https://127.0.0.1:${ex_port}"
  env_set EXAMPLE_CONTROLLER_MANAGER_PORT "${ecm_port}"
  env_set EXAMPLE_CONTROLLER_MANAGER_KUBECONFIG "${ECM_KUBECONFIG}"

  generate_pki
  write_kubeconfig "${ADMIN_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" admin
  write_kubeconfig "${KCM_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kube-controller-manager
  write_kubeconfig "${SCHEDULER_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kube-scheduler
  write_kubeconfig "${KWOK_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kwok
  write_kubeconfig "${EXAMPLE_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" example-apiserver-client
  write_kubeconfig "${ECM_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" example-controller-manager

  start_kubernetes
  if [[ "${SKIP_EXAMPLE}" == 1 ]]; then
    log "LOCAL_UP_SKIP_EXAMPLE=1: not starting example-apiserver nor registering v1.example.com"
  else
    start_example_apiserver
  fi
  # After the APIService: the garbage collector finds the kinds it watches
  # when it starts and then only every 30 s, and it must know CronTabs to
  # collect the Jobs of a deleted one.
  start_kube_controller_manager
  if [[ "${SKIP_CONTROLLER}" == 1 ]]; then
    log "LOCAL_UP_SKIP_CONTROLLER=1 or LOCAL_UP_SKIP_EXAMPLE=1: not starting example-controller-manager"
  else
    start_example_controller_manager
  fi
  # Last: kwok made the Node Ready long ago; the node-lifecycle-controller of
  # kube-controller-manager, just started, lifts its not-ready taint.
  if ! wait_until "Node ${KWOK_NODE} Ready and untainted (pods can be scheduled)" kwok node_schedulable "${KWOK_NODE}"; then
    kc get node "${KWOK_NODE}" -o yaml >&2 || true
    fail "Node ${KWOK_NODE} did not become schedulable"
  fi
}

# apply FILE...: kubectl apply, with its output in logs/kubectl.log.
apply() {
  local manifest
  for manifest in "$@"; do
    log "applying ${manifest#"${ROOT}"/}"
    kc apply -f "${manifest}" >>"${LOG_DIR}/kubectl.log" 2>&1 ||
      { tail -n 20 "${LOG_DIR}/kubectl.log" >&2; fail "kubectl apply -f ${manifest#"${ROOT}"/} failed"; }
  done
}

# start_kubernetes: etcd, kube-apiserver, then kube-scheduler and kwok
# started together and waited for afterwards.
start_kubernetes() {
  local -a extra

  # etcd
  read -ra extra <<<"${ETCD_EXTRA_FLAGS:-}"
  start_component etcd "${BIN_DIR}/etcd" \
    --name=local-up \
    --data-dir="${DATA_DIR}/etcd" \
    --listen-client-urls="${ETCD_SERVERS}" \
    --advertise-client-urls="${ETCD_SERVERS}" \
    --listen-peer-urls="http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-advertise-peer-urls="http://127.0.0.1:${ETCD_PEER_PORT}" \
    --initial-cluster="local-up=http://127.0.0.1:${ETCD_PEER_PORT}" \
    --unsafe-no-fsync=true \
    --log-level=warn \
    "${extra[@]}"
  wait_until "etcd /health on ${ETCD_SERVERS}" etcd http_ok 127.0.0.1 "${ETCD_PORT}" /health || fail

  # kube-apiserver
  read -ra extra <<<"${KUBE_APISERVER_EXTRA_FLAGS:-}"
  start_component kube-apiserver "${BIN_DIR}/kube-apiserver" \
    --bind-address=127.0.0.1 \
    --advertise-address=127.0.0.1 \
    --secure-port="${KUBE_APISERVER_PORT}" \
    --etcd-servers="${ETCD_SERVERS}" \
    --endpoint-reconciler-type=none \
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
    "${ROOT}/artifacts/deploy/user-roles.yaml" "${ARTIFACTS_LOCAL}/kwok/rbac.yaml" "${ARTIFACTS_LOCAL}/kwok/node.yaml"

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

# healthz_ok URL: an HTTPS health endpoint answers ok (certificate not verified).
healthz_ok() {
  local out
  out="$(curl -sk --max-time 5 "$1" 2>&1)" || { printf '%s\n' "${out:-connection failed}"; return 1; }
  printf '%s\n' "${out}"
  [[ "${out}" == ok ]]
}

# node_schedulable NODE: Ready=True and no taints (not-ready:NoSchedule is set
# when the Node is created).
node_schedulable() {
  local s
  s="$(kc get node "$1" --request-timeout=5s \
    -o jsonpath='{.status.conditions[?(@.type=="Ready")].status} taints:{.spec.taints[*].key}')" || return 1
  printf '%s\n' "${s}"
  [[ "${s}" == "True taints:" ]]
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

FAILED_MSG=""
fail() {
  FAILED_MSG="${1:-}"
  [[ -z "${FAILED_MSG}" ]] || log "ERROR: ${FAILED_MSG}"
  dump_logs
  exit 1
}

print_summary() {
  cat >&2 <<EOF

Local control plane is up (state in ${LOCAL_DIR#"${ROOT}"/}/, logs in ${LOG_DIR#"${ROOT}"/}/):
  etcd                     ${ETCD_SERVERS}
  kube-apiserver           ${KUBE_APISERVER_URL}
  kube-controller-manager  https://127.0.0.1:${KUBE_CONTROLLER_MANAGER_PORT}
  kube-scheduler           https://127.0.0.1:${KUBE_SCHEDULER_PORT}
  kwok                     http://127.0.0.1:${KWOK_PORT}  (kubelet of the fake Node ${KWOK_NODE})
EOF
  if [[ "${SKIP_EXAMPLE}" != 1 ]]; then
    echo "  example-apiserver        ${EXAMPLE_APISERVER_URL}  (APIService v1.example.com)" >&2
  fi
  if [[ "${SKIP_CONTROLLER}" != 1 ]]; then
    echo "  example-controller-manager  https://127.0.0.1:${EXAMPLE_CONTROLLER_MANAGER_PORT}" >&2
  fi
  cat >&2 <<EOF

  export KUBECONFIG=${ADMIN_KUBECONFIG}
  export PATH=${BIN_DIR}:\$PATH        # this kubectl matches the cluster
  kubectl get nodes
  kubectl create job hello --image=busybox:1.36   # Complete in a few seconds
EOF
  if [[ "${SKIP_EXAMPLE}" != 1 ]]; then
    cat >&2 <<EOF
  kubectl get --raw /apis/example.com/v1
  kubectl apply -f artifacts/examples/my-crontab.yaml
  kubectl get ct
EOF
  else
    echo "  kubectl get namespaces" >&2
  fi
  echo "  (source ${ENV_FILE#"${ROOT}"/} for ports, PIDs and paths)" >&2
}

# ---------------------------------------------------------------------------

MODE="${1:-}"
UP_OK=0

on_exit() {
  local rc=$?
  # Ignore further signals (and SIGPIPE from a vanished reader of our output)
  # so the cleanup runs to the end; every wait in it has a deadline.
  trap '' INT TERM PIPE
  if [[ "${MODE}" == run || "${UP_OK}" != 1 ]]; then
    if [[ "${UP_OK}" != 1 && -f "${ENV_FILE}" ]]; then
      log "start-up did not complete; stopping what was started"
    fi
    down || rc=1
  fi
  exit "${rc}"
}
on_signal() {
  trap '' INT TERM PIPE
  log "received SIG$1; stopping"
  [[ "$1" == INT ]] && exit 130
  exit 143
}

case "${MODE}" in
  run | up)
    [[ $# -eq 1 ]] || usage
    preflight
    mkdir -p "${LOCAL_DIR}"
    trap on_exit EXIT
    trap 'on_signal INT' INT
    trap 'on_signal TERM' TERM
    start_all
    print_summary
    if [[ "${MODE}" == up ]]; then
      UP_OK=1
      log "running detached; stop with: hack/local-up.sh down"
      exit 0
    fi
    UP_OK=1
    log "running in the foreground; Ctrl-C stops everything"
    # Block until a component exits (or a signal arrives; traps then run down).
    while true; do
      rc=0
      wait -n || rc=$?
      # 127: no child to wait for (not started by this shell); poll instead.
      ((rc != 127)) || sleep 1
      for name in "${COMPONENTS[@]}"; do
        pid="$(component_pid "${name}")"
        if [[ -n "${pid}" ]] && ! component_running "${name}"; then
          log "ERROR: ${name} (pid ${pid}) exited unexpectedly"
          tail -n 40 "${LOG_DIR}/${name}.log" >&2 || true
          exit 1
        fi
      done
    done
    ;;
  down)
    [[ $# -eq 1 ]] || usage
    down
    ;;
  status)
    status
    ;;
  -h | --help | help | "")
    usage
    ;;
  *)
    log "unknown command '${MODE}'"
    usage
    ;;
esac
