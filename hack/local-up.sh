#!/usr/bin/env bash
# SC2015: `a && b || die` means "die if either fails" here.
# SC2153: the upper-case settings are assigned by env_set (printf -v).
# shellcheck disable=SC2015,SC2153
# A local control plane for developing example-apiserver, all on 127.0.0.1:
# etcd, kube-apiserver (with the aggregator), kube-controller-manager,
# kube-scheduler, kwok playing the kubelet of one fake Node (kwok-node-0),
# example-apiserver registered as the APIServices v1.example.com, v2.example.com and
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
# artifacts/local templates), data/etcd (data/etcd-N in the HA shape, haproxy.cfg).
#
# Needs: the binaries from hack/build-tools.sh (built automatically), openssl,
# curl, and _output/bin/example-apiserver and example-controller-manager
# (make build) unless skipped below.
#
# Environment:
#   LOCAL_UP_DIR=_output/local  where the state lives (the e2e suite uses its own, so it
#                               never touches a stack a developer has up)
#   LOCAL_UP_HA=1             the production shape (make up HA=1, docs/reliability.md): a
#                             three-member etcd cluster with peer and client TLS, two
#                             example-apiserver replicas behind HAProxy (the APIService's one
#                             address, as a Service) and two leader-electing
#                             example-controller-manager replicas; needs haproxy
#   LOCAL_UP_NODE=real        a real node beside the fake one (make up NODE=real,
#                             hack/lib/node.sh): containerd, kubelet and kube-proxy on a
#                             bridge of the stack's own (pods 10.88.N.0/24, Services
#                             10.0.0.0/24, nothing routed off the machine); the fake Node is
#                             tainted kwok.x-k8s.io/node=fake:NoSchedule so pods run for
#                             real; needs root, containerd, runc and the CNI plugins
#   LOCAL_UP_SKIP_EXAMPLE=1   do not start example-apiserver nor register the APIService
#                             (nor example-controller-manager, which needs its API)
#   LOCAL_UP_SKIP_CONTROLLER=1  do not start example-controller-manager
#   LOCAL_UP_LDAP=0           do not start the LDAP directory (slapd, hack/lib/ldap.sh)
#                             nor the login (docs/login.md); default 1
#   LOCAL_UP_LOGIN_TOKEN_LIFETIME=15m  lifetime of the login's tokens
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
# The login needs example-apiserver's webhook and API.
LOGIN="${LOCAL_UP_LDAP:-1}"
[[ "${SKIP_EXAMPLE}" != 1 ]] || LOGIN=0
LOGIN_KUBE_APISERVER_FLAGS=()
HA="${LOCAL_UP_HA:-0}"
NODE="${LOCAL_UP_NODE:-}"
[[ -z "${NODE}" || "${NODE}" == real ]] || { echo "LOCAL_UP_NODE=${NODE}: only real is known" >&2; exit 2; }
NODE_KUBE_APISERVER_FLAGS=()
# Replicas of example-apiserver and example-controller-manager in the HA shape.
HA_REPLICAS=2

# Start order; `down` stops them in reverse (clients of kube-apiserver first,
# so that it has no open watches to wait for, then etcd last).
COMPONENTS=(etcd ldap kube-apiserver kube-scheduler kwok example-apiserver kube-controller-manager example-controller-manager)

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

# The pieces, one job each (hack/lib/*.sh, as kubernetes' hack/lib): logging, process
# supervision and the env file, ports and probes, PKI, kubeconfigs, kubectl, then one file per
# component (group) with its start_* function and readiness checks.
# A new component (say hack/lib/ldap.sh): its start_* function and checks in its own file,
# sourced below; its name in COMPONENTS (down stops in reverse); its port picked and
# recorded (pick_port, env_set) in start_all, which calls its start_* in order.
# shellcheck source=hack/lib/log.sh
source "${ROOT}/hack/lib/log.sh"
# shellcheck source=hack/lib/process.sh
source "${ROOT}/hack/lib/process.sh"
# shellcheck source=hack/lib/net.sh
source "${ROOT}/hack/lib/net.sh"
# shellcheck source=hack/lib/pki.sh
source "${ROOT}/hack/lib/pki.sh"
# shellcheck source=hack/lib/kubeconfig.sh
source "${ROOT}/hack/lib/kubeconfig.sh"
# shellcheck source=hack/lib/kubectl.sh
source "${ROOT}/hack/lib/kubectl.sh"
# shellcheck source=hack/lib/etcd.sh
source "${ROOT}/hack/lib/etcd.sh"
# shellcheck source=hack/lib/kubernetes.sh
source "${ROOT}/hack/lib/kubernetes.sh"
# shellcheck source=hack/lib/kube-controller-manager.sh
source "${ROOT}/hack/lib/kube-controller-manager.sh"
# shellcheck source=hack/lib/example-apiserver.sh
source "${ROOT}/hack/lib/example-apiserver.sh"
# shellcheck source=hack/lib/example-controller-manager.sh
source "${ROOT}/hack/lib/example-controller-manager.sh"
# shellcheck source=hack/lib/ldap.sh
source "${ROOT}/hack/lib/ldap.sh"
# shellcheck source=hack/lib/etcd-cluster.sh
source "${ROOT}/hack/lib/etcd-cluster.sh"
# shellcheck source=hack/lib/haproxy.sh
source "${ROOT}/hack/lib/haproxy.sh"
# shellcheck source=hack/lib/node.sh
source "${ROOT}/hack/lib/node.sh"

# replicas NAME: NAME-0 ... NAME-<HA_REPLICAS-1>, one a line.
replicas() {
  local i
  for ((i = 0; i < HA_REPLICAS; i++)); do
    printf '%s-%d\n' "$1" "${i}"
  done
}
# The HA shape's processes, in the same order; `down` and `status` read the list the env file
# recorded (recorded_components), so they find every replica whatever LOCAL_UP_HA says then.
if [[ "${HA}" == 1 ]]; then
  mapfile -t COMPONENTS < <(etcd_cluster_members; echo ldap; echo kube-apiserver; echo kube-scheduler; echo kwok
    replicas example-apiserver; echo haproxy; echo kube-controller-manager; replicas example-controller-manager)
fi
if [[ "${NODE}" == real ]]; then
  COMPONENTS+=("${NODE_COMPONENTS[@]}")
  # The EndpointSlices kube-proxy programs Services from; what artifacts/deploy's etcd
  # StatefulSet (its claims bound to PersistentVolumes) and PodDisruptionBudgets need. The
  # protection controllers remove the finalizers kube-apiserver's admission puts on every claim
  # and volume: without them a deleted claim stays Terminating for ever.
  KCM_CONTROLLERS+=(endpointslice-controller statefulset-controller persistentvolume-binder-controller disruption-controller
    persistentvolumeclaim-protection-controller persistentvolume-protection-controller)
fi

usage() {
  sed -n '5,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------
# bring-up

# record_replica_ports NAME: picks and records the port of each replica of NAME in the HA
# shape (EXAMPLE_APISERVER_0_PORT ...); NAME's own port is where clients reach them all.
record_replica_ports() {
  local name port
  while read -r name; do
    pick_port port
    env_set "$(var_prefix "${name}")_PORT" "${port}"
  done < <(replicas "$1")
}

# replica_urls NAME: the URLs of NAME's replicas, space-separated.
replica_urls() {
  local name port_var urls=()
  while read -r name; do
    port_var="$(var_prefix "${name}")_PORT"
    urls+=("https://127.0.0.1:${!port_var}")
  done < <(replicas "$1")
  printf '%s' "${urls[*]}"
}

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
  if [[ "${HA}" == 1 ]]; then
    command -v haproxy >/dev/null 2>&1 || die "haproxy not found (Debian: apt-get install -y haproxy)"
  fi
  if [[ "${LOCAL_UP_SKIP_BUILD:-0}" != 1 ]]; then
    "${ROOT}/hack/build-tools.sh" || die "hack/build-tools.sh failed"
    [[ "${NODE}" != real ]] || "${ROOT}/hack/build-tools.sh" kubelet kube-proxy crictl coredns || die "hack/build-tools.sh failed"
  fi
  [[ "${NODE}" != real ]] || node_preflight
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
    recorded_components
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
    "${KWOK_KUBECONFIG}" "${ECM_KUBECONFIG}" "${LOCAL_DIR}/node"
  mkdir -p "${LOG_DIR}" "${DATA_DIR}" "${MANIFEST_DIR}"

  local etcd_port etcd_peer_port kas_port kcm_port scheduler_port kwok_port ex_port ecm_port ldap_port
  if [[ "${HA}" != 1 ]]; then
    pick_port etcd_port
    pick_port etcd_peer_port
  fi
  pick_port kas_port
  pick_port kcm_port
  pick_port scheduler_port
  pick_port kwok_port
  pick_port ex_port
  pick_port ecm_port
  pick_port ldap_port

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
  env_set LOCAL_UP_HA "${HA}"
  env_set LOCAL_UP_NODE "${NODE}"
  env_set LOCAL_UP_COMPONENTS "${COMPONENTS[*]}"
  if [[ "${HA}" == 1 ]]; then
    etcd_cluster_record_ports
    record_replica_ports example-apiserver
    record_replica_ports example-controller-manager
  else
    env_set ETCD_PORT "${etcd_port}"
    env_set ETCD_PEER_PORT "${etcd_peer_port}"
    env_set ETCD_SERVERS "http://127.0.0.1:${etcd_port}"
  fi
  env_set KUBE_APISERVER_PORT "${kas_port}"
  # Where kube-apiserver listens: loopback, or beside a real node the node's address, which
  # its pods reach through the Service kubernetes (the lease reconciler keeps its endpoint).
  env_set KUBE_APISERVER_ADDRESS 127.0.0.1
  env_set KUBE_APISERVER_ENDPOINT_RECONCILER none
  if [[ "${NODE}" == real ]]; then
    node_record
    env_set KUBE_APISERVER_ADDRESS "${NODE_IP}"
    env_set KUBE_APISERVER_ENDPOINT_RECONCILER lease
  fi
  env_set KUBE_APISERVER_URL "https://${KUBE_APISERVER_ADDRESS}:${kas_port}"
  env_set KUBE_CONTROLLER_MANAGER_PORT "${kcm_port}"
  env_set KUBE_SCHEDULER_PORT "${scheduler_port}"
  env_set KUBE_SCHEDULER_KUBECONFIG "${SCHEDULER_KUBECONFIG}"
  env_set KWOK_PORT "${kwok_port}"
  env_set KWOK_KUBECONFIG "${KWOK_KUBECONFIG}"
  env_set KWOK_NODE "${KWOK_NODE}"
  env_set EXAMPLE_APISERVER_PORT "${ex_port}"
  env_set EXAMPLE_APISERVER_URL "https://127.0.0.1:${ex_port}"
  # In the HA shape clients reach example-apiserver's port through HAProxy.
  [[ "${HA}" != 1 ]] || env_set HAPROXY_PORT "${ex_port}"
  env_set EXAMPLE_CONTROLLER_MANAGER_PORT "${ecm_port}"
  env_set EXAMPLE_CONTROLLER_MANAGER_KUBECONFIG "${ECM_KUBECONFIG}"
  env_set LDAP_PORT "${ldap_port}"
  env_set LDAP_URL "ldap://127.0.0.1:${ldap_port}"
  env_set LDAP_DIR "${LOCAL_DIR}/ldap"

  generate_pki
  [[ "${HA}" != 1 ]] || etcd_cluster_pki
  if [[ "${NODE}" == real ]]; then
    node_pki
    node_kube_apiserver_flags
    # Before kube-apiserver, which listens on the bridge's address.
    node_network
  fi
  write_kubeconfig "${ADMIN_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" admin
  write_kubeconfig "${KCM_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kube-controller-manager
  write_kubeconfig "${SCHEDULER_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kube-scheduler
  write_kubeconfig "${KWOK_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kwok
  write_kubeconfig "${EXAMPLE_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" example-apiserver-client
  write_kubeconfig "${ECM_KUBECONFIG}" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" example-controller-manager

  if [[ "${HA}" == 1 ]]; then
    start_etcd_cluster
  else
    start_etcd
  fi
  if [[ "${LOGIN}" == 1 ]]; then
    start_ldap
    configure_login
  fi
  start_kubernetes
  if [[ "${SKIP_EXAMPLE}" == 1 ]]; then
    log "LOCAL_UP_SKIP_EXAMPLE=1: not starting example-apiserver nor registering example.com"
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
  # kube-controller-manager, just started, lifts its not-ready taint. Beside a real node
  # the fake one takes only the pods that tolerate kwok's taint.
  local kwok_taint="" untainted="untainted (pods can be scheduled)"
  if [[ "${NODE}" == real ]]; then
    kwok_taint=kwok.x-k8s.io/node untainted="tainted ${kwok_taint} only (pods that tolerate it can be scheduled)"
    kc taint node "${KWOK_NODE}" kwok.x-k8s.io/node=fake:NoSchedule >/dev/null || fail "tainting ${KWOK_NODE} failed"
  fi
  if ! wait_until "Node ${KWOK_NODE} Ready and ${untainted}" kwok node_schedulable "${KWOK_NODE}" "${kwok_taint}"; then
    kc get node "${KWOK_NODE}" -o yaml >&2 || true
    fail "Node ${KWOK_NODE} did not become schedulable"
  fi
  [[ "${NODE}" != real ]] || start_node
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
  if [[ "${HA}" == 1 ]]; then
    echo "  (etcd: three members, peer and client TLS; client certificate ${ETCD_CERTFILE#"${ROOT}"/})" >&2
  fi
  if [[ "${SKIP_EXAMPLE}" != 1 && "${HA}" == 1 ]]; then
    echo "  example-apiserver        ${EXAMPLE_APISERVER_URL}  (HAProxy in front of $(replica_urls example-apiserver); APIServices v1.example.com, v2.example.com)" >&2
  elif [[ "${SKIP_EXAMPLE}" != 1 ]]; then
    echo "  example-apiserver        ${EXAMPLE_APISERVER_URL}  (APIServices v1.example.com, v2.example.com)" >&2
  fi
  if [[ "${SKIP_CONTROLLER}" != 1 && "${HA}" == 1 ]]; then
    echo "  example-controller-manager  $(replica_urls example-controller-manager)  (leader: Lease example-system/example-controller-manager)" >&2
  elif [[ "${SKIP_CONTROLLER}" != 1 ]]; then
    echo "  example-controller-manager  https://127.0.0.1:${EXAMPLE_CONTROLLER_MANAGER_PORT}" >&2
  fi
  if [[ "${NODE}" == real ]]; then
    echo "  containerd               unix://${CONTAINERD_SOCK}  (crictl: ${BIN_DIR#"${ROOT}"/}/crictl --runtime-endpoint unix://${CONTAINERD_SOCK} ps)" >&2
    echo "  kubelet                  https://${NODE_IP}:${KUBELET_PORT}  (the real Node ${NODE_NAME}; pods ${NODE_POD_CIDR} on bridge ${NODE_BRIDGE})" >&2
    echo "  kube-proxy               iptables mode (Services ${SERVICE_CIDR})" >&2
  fi
  if [[ "${LOGIN}" == 1 ]]; then
    echo "  ldap (slapd)             ${LDAP_URL}  (users alice, bob: passwords in ${LDAP_DIR#"${ROOT}"/}/*.password; docs/login.md)" >&2
  fi
  cat >&2 <<EOF

  export KUBECONFIG=${ADMIN_KUBECONFIG}
  export PATH=${BIN_DIR}:\$PATH        # this kubectl matches the cluster
  kubectl get nodes
EOF
  if [[ "${NODE}" == real ]]; then
    cat >&2 <<EOF
  kubectl run hello --image=${NODE_TESTWORKLOAD_IMAGE} --image-pull-policy=Never --restart=Never -- hello
  kubectl get pods -A -o wide; kubectl logs hello   # a real container on ${NODE_NAME}
EOF
  else
    echo "  kubectl create job hello --image=busybox:1.36   # Complete in a few seconds" >&2
  fi
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
