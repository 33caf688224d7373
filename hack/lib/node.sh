# The real node of hack/local-up.sh (LOCAL_UP_NODE=real, make up NODE=real): containerd, a
# kubelet and kube-proxy on this machine, with a bridge of the stack's own for its pods, and
# CoreDNS as a pod (artifacts/local/coredns.yaml.tmpl) for Service names.
# Expects ROOT, BIN_DIR, LOCAL_DIR, PKI_DIR, LOG_DIR, KUBE_APISERVER_URL and the NODE_* the env
# file records (node_record).
#
# Networking stays on the machine: the bridge (NODE_BRIDGE) holds the node's address and is
# the pods' gateway; pods get routes to their own subnet and to the Service range only, no
# default route; the CNI bridge plugin does no masquerading; packets the machine receives on
# the bridge are forwarded (net.ipv4.conf.<bridge>.forwarding) back onto the bridge only, a
# FORWARD chain of ours drops the rest. kube-proxy's rules (iptables, in the machine's one
# network namespace) serve ClusterIP Services, so one real node runs on a machine at a time.
#
# `down` stops kubelet and kube-proxy, removes every pod sandbox through the CRI (CNI DEL:
# veths, netns), stops containerd and its shims, then removes kube-proxy's rules, our chain,
# the bridge and every mount under NODE_DIR (after_stop).
# shellcheck shell=bash
# SC2015: `a && b || die` means "die if either fails". SC2034: used by hack/local-up.sh.
# SC2153, SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2015,SC2034,SC2153,SC2154

# Node components in start order (down stops them in reverse).
NODE_COMPONENTS=(containerd kubelet kube-proxy)
# The Service range kube-apiserver allocates from (hack/lib/kubernetes.sh).
SERVICE_CIDR=10.0.0.0/24
# The ClusterIP of CoreDNS' Service kube-dns, the kubelet's clusterDNS.
CLUSTER_DNS=10.0.0.10
# The lock that keeps a second real node (and its kube-proxy) off this machine.
NODE_LOCK=/run/example-apiserver-node.lock

# node_record: names and addresses of this stack's node, derived from LOCAL_DIR so that two
# worktrees never pick the same bridge: 10.88.N.0/24, the node at .1.
node_record() {
  local sum n
  sum="$(printf '%s' "${LOCAL_DIR}" | sha256sum)"
  n=$((16#${sum:0:4} % 250 + 1))
  env_set NODE_NAME "$(hostname -s | tr '[:upper:]' '[:lower:]')-real"
  env_set NODE_DIR "${LOCAL_DIR}/node"
  env_set NODE_BRIDGE "exn-${sum:0:8}"
  env_set NODE_IP "10.88.${n}.1"
  env_set NODE_POD_CIDR "10.88.${n}.0/24"
  env_set NODE_FORWARD_CHAIN "EXN-${sum:0:8}"
  env_set CONTAINERD_SOCK "${NODE_DIR}/containerd.sock"
  env_set NODE_PAUSE_IMAGE "${NODE_PAUSE_IMAGE}"
  env_set NODE_TESTWORKLOAD_IMAGE "${NODE_TESTWORKLOAD_IMAGE}"
  env_set NODE_ETCD_IMAGE "${NODE_ETCD_IMAGE}"
  local port
  pick_port port
  env_set KUBELET_PORT "${port}"
  pick_port port
  env_set KUBELET_HEALTHZ_PORT "${port}"
  pick_port port
  env_set KUBE_PROXY_HEALTHZ_PORT "${port}"
  pick_port port
  env_set KUBE_PROXY_METRICS_PORT "${port}"
}

# node_preflight: what the node needs that the machine may not have.
node_preflight() {
  [[ "$(id -u)" == 0 ]] || die "LOCAL_UP_NODE=real needs root (containerd, runc, a bridge, iptables)"
  "${ROOT}/hack/prereqs.sh" node || die "hack/prereqs.sh node failed"
  local t
  for t in kubelet kube-proxy crictl coredns; do
    [[ -x "${BIN_DIR}/${t}" ]] || die "${BIN_DIR#"${ROOT}"/}/${t} missing: run hack/build-tools.sh kubelet kube-proxy crictl coredns"
  done
  [[ -d /proc/sys/net/bridge ]] || die "the kernel has no br_netfilter (/proc/sys/net/bridge): kube-proxy's Services need it"
  # start_all wipes the node's directory: never through a mount a stack left behind.
  if awk -v dir="${LOCAL_DIR}/node/" 'index($2, dir) == 1 {found = 1} END {exit !found}' /proc/self/mounts; then
    die "mounts left under ${LOCAL_DIR}/node (grep ${LOCAL_DIR}/node /proc/mounts): run hack/local-up.sh down"
  fi
  if [[ -f "${NODE_LOCK}" ]]; then
    local owner
    owner="$(cat "${NODE_LOCK}")"
    [[ ! -f "${owner}/env" ]] || die "a real node already runs on this machine (stack ${owner}); stop it with LOCAL_UP_DIR=${owner} hack/local-up.sh down"
  fi
}

crictl_node() { "${BIN_DIR}/crictl" --runtime-endpoint "unix://${CONTAINERD_SOCK}" --timeout 30s "$@"; }
ctr_node() { ctr --address "${CONTAINERD_SOCK}" --namespace k8s.io "$@"; }

# node_network: the bridge with the node's address, forwarding onto it only.
node_network() {
  if ip route show | grep -q "^${NODE_POD_CIDR} "; then
    die "${NODE_POD_CIDR} is routed on this machine already (ip route): pick another LOCAL_UP_DIR"
  fi
  printf '%s\n' "${LOCAL_DIR}" >"${NODE_LOCK}"
  env_set NODE_LOCK "${NODE_LOCK}"
  log "creating bridge ${NODE_BRIDGE} ${NODE_IP}/24 (pods ${NODE_POD_CIDR}, Services ${SERVICE_CIDR})"
  ip link add "${NODE_BRIDGE}" type bridge || die "ip link add ${NODE_BRIDGE} type bridge failed"
  env_set NODE_BRIDGE_CREATED 1
  ip addr add "${NODE_IP}/24" dev "${NODE_BRIDGE}" && ip link set "${NODE_BRIDGE}" up ||
    die "configuring ${NODE_BRIDGE} failed"
  # Forwarded in from the bridge (a pod to a Service, DNATed back to a pod) and back out of it.
  sysctl -qw "net.ipv4.conf.${NODE_BRIDGE}.forwarding=1" || die "enabling forwarding on ${NODE_BRIDGE} failed"
  iptables -w -N "${NODE_FORWARD_CHAIN}" &&
    iptables -w -A "${NODE_FORWARD_CHAIN}" -i "${NODE_BRIDGE}" -o "${NODE_BRIDGE}" -j ACCEPT &&
    iptables -w -A "${NODE_FORWARD_CHAIN}" -i "${NODE_BRIDGE}" -j DROP &&
    iptables -w -A "${NODE_FORWARD_CHAIN}" -o "${NODE_BRIDGE}" -j DROP &&
    iptables -w -I FORWARD 1 -j "${NODE_FORWARD_CHAIN}" -m comment --comment "example-apiserver local node ${NODE_BRIDGE}" ||
    die "adding the FORWARD chain ${NODE_FORWARD_CHAIN} failed"
}

# node_images: the pause, test, CoreDNS and etcd images, built here and imported (nothing is
# pulled). etcd's (with etcdctl, for artifacts/deploy's probes) stands in for registry.k8s.io's.
NODE_PAUSE_IMAGE=example.com/pause:v0.1.0-local
NODE_TESTWORKLOAD_IMAGE=example.com/testworkload:v0.1.0-local
NODE_COREDNS_IMAGE=example.com/coredns:v1.15.0-local
NODE_ETCD_IMAGE=example.com/etcd:v3.7.0-local
node_images() {
  local dir="${NODE_DIR}/images" created a archives=()
  created="$(TZ=UTC git -C "${ROOT}" show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)"
  mkdir -p "${dir}"
  log "building the node's images (log: ${LOG_DIR#"${ROOT}"/}/images.log)"
  {
    (cd "${ROOT}" && CGO_ENABLED=0 go build -trimpath -o "${dir}/" ./test/images/pause ./test/images/testworkload) &&
      (cd "${ROOT}/hack/tools" && CGO_ENABLED=0 go build -trimpath -o "${dir}/" ./cmd/etcd ./cmd/etcdctl) &&
      cp "${BIN_DIR}/coredns" "${dir}/coredns"
  } >>"${LOG_DIR}/images.log" 2>&1 || die "building the images' binaries failed (see ${LOG_DIR#"${ROOT}"/}/images.log)"
  # node_image REF BINARY [EXTRA_BINARY...]
  node_image() {
    local ref="$1" binary="$2" extra=() e
    shift 2
    for e in "$@"; do
      extra+=(--extra-binary "${e}")
    done
    (cd "${ROOT}" && go run ./hack/build-image --ref "${ref}" --binary "${binary}" "${extra[@]}" \
      --created "${created}" --output "${binary}.tar") >>"${LOG_DIR}/images.log" 2>&1 ||
      die "building the image ${ref} failed (see ${LOG_DIR#"${ROOT}"/}/images.log)"
    archives+=("${binary}.tar")
  }
  node_image "${NODE_PAUSE_IMAGE}" "${dir}/pause"
  node_image "${NODE_TESTWORKLOAD_IMAGE}" "${dir}/testworkload"
  node_image "${NODE_COREDNS_IMAGE}" "${dir}/coredns"
  node_image "${NODE_ETCD_IMAGE}" "${dir}/etcd" "${dir}/etcdctl"
  # And the images of make image, when there: artifacts/deploy runs them.
  for a in "${ROOT}"/_output/images/*.tar; do
    [[ ! -f "${a}" ]] || archives+=("${a}")
  done
  for a in "${archives[@]}"; do
    ctr_node images import "${a}" >>"${LOG_DIR}/images.log" 2>&1 || die "ctr images import ${a} failed (see ${LOG_DIR#"${ROOT}"/}/images.log)"
  done
  log "images imported: $(ctr_node images ls -q | grep -v -e '@' -e '^sha256:' | tr '\n' ' ')"
}

node_pki() {
  mkdir -p "${NODE_DIR}"
  pki_cert ca kubelet "/O=system:nodes/CN=system:node:${NODE_NAME}" client
  pki_cert ca kubelet-serving "/CN=${NODE_NAME}" server "IP:${NODE_IP},DNS:${NODE_NAME}"
  pki_cert ca kube-proxy "/CN=system:kube-proxy" client
  # kube-apiserver to the kubelet (logs, exec): the kubelet authorizes it by webhook.
  pki_cert ca kube-apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" client
  write_kubeconfig "${NODE_DIR}/kubelet.kubeconfig" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kubelet
  write_kubeconfig "${NODE_DIR}/kube-proxy.kubeconfig" "${KUBE_APISERVER_URL}" "${PKI_DIR}/ca.crt" kube-proxy
  chmod 600 "${PKI_DIR}"/*.key
}

# node_kube_apiserver_flags: what kube-apiserver needs to reach the kubelet.
node_kube_apiserver_flags() {
  NODE_KUBE_APISERVER_FLAGS=(
    --kubelet-client-certificate="${PKI_DIR}/kube-apiserver-kubelet-client.crt"
    --kubelet-client-key="${PKI_DIR}/kube-apiserver-kubelet-client.key"
    --kubelet-preferred-address-types=InternalIP
  )
}

start_containerd() {
  mkdir -p "${NODE_DIR}/cni/net.d" "${NODE_DIR}/containerd"
  # No masquerading, no default route: a pod reaches its subnet and the Services.
  cat >"${NODE_DIR}/cni/net.d/10-local.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "local",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "${NODE_BRIDGE}",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "${NODE_DIR}/cni/ipam",
        "ranges": [[{"subnet": "${NODE_POD_CIDR}", "gateway": "${NODE_IP}"}]],
        "routes": [{"dst": "${SERVICE_CIDR}"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
EOF
  # restrict_oom_score_adj: without CAP_SYS_RESOURCE (containers, CI sandboxes) runc cannot
  # lower a sandbox's oom_score_adj and every pod fails ("can't get final child's PID from pipe").
  cat >"${NODE_DIR}/containerd/config.toml" <<EOF
version = 2
root = "${NODE_DIR}/containerd/root"
state = "${NODE_DIR}/containerd/state"
[grpc]
  address = "${CONTAINERD_SOCK}"
[ttrpc]
  address = "${CONTAINERD_SOCK}.ttrpc"
[debug]
  address = "${CONTAINERD_SOCK}.debug"
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${NODE_DIR}/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${NODE_PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_cdi = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${NODE_DIR}/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      Root = "${NODE_DIR}/runc"
      SystemdCgroup = false
EOF
  start_component containerd "$(command -v containerd)" --config "${NODE_DIR}/containerd/config.toml"
  wait_until "containerd on ${CONTAINERD_SOCK#"${ROOT}"/}" containerd crictl_node info || fail
}

# The kernel settings the node changes: the kubelet's own (protectKernelDefaults: false) and
# net.ipv4.ip_forward, which the CNI bridge plugin turns on for its gateway at the first pod.
# Recorded before the kubelet starts, put back by after_stop.
NODE_SYSCTLS=(vm.overcommit_memory kernel.panic kernel.panic_on_oops net.ipv4.ip_forward)

start_kubelet() {
  local k v saved=()
  for k in "${NODE_SYSCTLS[@]}"; do
    v="$(sysctl -n "${k}")" || die "sysctl -n ${k} failed"
    saved+=("${k}=${v}")
  done
  env_set NODE_SAVED_SYSCTLS "${saved[*]}"
  mkdir -p "${NODE_DIR}/kubelet" "${NODE_DIR}/pod-logs"
  # The kubelet makes its root directory a shared bind mount of itself at start-up, while it
  # already creates sockets there: a socket made before the mount and renamed after it fails
  # ("invalid cross-device link") and the kubelet exits. Made shared here, it is left alone.
  mount --bind "${NODE_DIR}/kubelet" "${NODE_DIR}/kubelet" && mount --make-rshared "${NODE_DIR}/kubelet" ||
    die "making ${NODE_DIR}/kubelet a shared mount failed"
  : >"${NODE_DIR}/resolv.conf"
  # cgroupfs, no QoS cgroups, no node allocatable: works on cgroup v1 and v2 without systemd.
  # Eviction and image GC at the far end: the machine's disk is shared, and a collected
  # imported image cannot be pulled back.
  cat >"${NODE_DIR}/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${NODE_IP}
port: ${KUBELET_PORT}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${KUBELET_HEALTHZ_PORT}
tlsCertFile: ${PKI_DIR}/kubelet-serving.crt
tlsPrivateKeyFile: ${PKI_DIR}/kubelet-serving.key
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${PKI_DIR}/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://${CONTAINERD_SOCK}
podLogsDir: ${NODE_DIR}/pod-logs
resolvConf: ${NODE_DIR}/resolv.conf
clusterDomain: cluster.local
clusterDNS: [${CLUSTER_DNS}]
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
cgroupsPerQOS: false
enforceNodeAllocatable: []
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "1Mi", nodefs.available: "1%", imagefs.available: "1%"}
maxPods: 30
serializeImagePulls: false
EOF
  start_component kubelet "${BIN_DIR}/kubelet" \
    --config="${NODE_DIR}/kubelet.yaml" \
    --kubeconfig="${NODE_DIR}/kubelet.kubeconfig" \
    --root-dir="${NODE_DIR}/kubelet" \
    --hostname-override="${NODE_NAME}" \
    --node-ip="${NODE_IP}" \
    --node-labels=example.com/node=real \
    --v=2
  wait_until "kubelet /healthz on 127.0.0.1:${KUBELET_HEALTHZ_PORT}" kubelet http_ok 127.0.0.1 "${KUBELET_HEALTHZ_PORT}" /healthz || fail
}

start_kube_proxy() {
  cat >"${NODE_DIR}/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: ${NODE_DIR}/kube-proxy.kubeconfig}
hostnameOverride: ${NODE_NAME}
mode: iptables
clusterCIDR: ${NODE_POD_CIDR}
# A Service reached from a pod comes back through the bridge's address, so that replies
# between two pods of one bridge pass conntrack.
iptables: {masqueradeAll: true, localhostNodePorts: false}
nodePortAddresses: ["${NODE_IP}/32"]
healthzBindAddress: 127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}
metricsBindAddress: 127.0.0.1:${KUBE_PROXY_METRICS_PORT}
# Leave the machine's conntrack table size alone.
conntrack: {maxPerCore: 0}
EOF
  start_component kube-proxy "${BIN_DIR}/kube-proxy" --config="${NODE_DIR}/kube-proxy.yaml" --v=2
  wait_until "kube-proxy /healthz on 127.0.0.1:${KUBE_PROXY_HEALTHZ_PORT}" kube-proxy http_ok 127.0.0.1 "${KUBE_PROXY_HEALTHZ_PORT}" /healthz || fail
}

# start_node: containerd with the images, kubelet, kube-proxy; the Node Ready (node_network
# made the bridge before kube-apiserver started).
start_node() {
  start_containerd
  node_images
  start_kubelet
  start_kube_proxy
  if ! wait_until "Node ${NODE_NAME} Ready and untainted" kubelet node_schedulable "${NODE_NAME}"; then
    kc get node "${NODE_NAME}" -o yaml >&2 || true
    fail "Node ${NODE_NAME} did not become schedulable"
  fi
  start_coredns
}

# start_coredns: the cluster DNS as a pod of the node; Ready once it has read the Services
# through the Service kubernetes, so this also proves pods reach kube-apiserver.
start_coredns() {
  local rendered="${MANIFEST_DIR}/coredns.yaml"
  sed -e "s|__COREDNS_IMAGE__|${NODE_COREDNS_IMAGE}|g" -e "s|__CLUSTER_DNS__|${CLUSTER_DNS}|g" \
    "${ROOT}/artifacts/local/coredns.yaml.tmpl" >"${rendered}"
  apply "${rendered}"
  if ! wait_until "CoreDNS Ready on ${NODE_NAME} (Service kube-dns ${CLUSTER_DNS})" kubelet coredns_ready; then
    kc -n kube-system get pods -o wide >&2 || true
    kc -n kube-system logs deployment/coredns --tail=20 >&2 || true
    fail "CoreDNS did not become Ready"
  fi
}

coredns_ready() {
  local s
  s="$(kc -n kube-system get deployment coredns --request-timeout=5s -o jsonpath='{.status.readyReplicas}')" || return 1
  printf 'ready replicas: %s\n' "${s:-0}"
  [[ "${s}" == 1 ]]
}

# before_stop_containerd (down): every pod sandbox stopped and removed through the CRI, so
# that the CNI plugins take their veths and the netns go.
before_stop_containerd() {
  component_running containerd || return 0
  log "removing the pods of ${NODE_NAME} from containerd (crictl rmp)"
  crictl_node rmp -fa >/dev/null 2>&1 || log "WARNING: crictl rmp -fa failed"
}

# after_stop (down, after every process stopped): the shims of our containerd, kube-proxy's
# and the kubelet's rules and kernel settings, our chain, the bridge, the mounts under
# NODE_DIR, the lock.
after_stop() {
  [[ "${LOCAL_UP_NODE:-}" == real && -n "${NODE_DIR:-}" ]] || return 0
  local failed=0 pid m
  for pid in $(pgrep -f "containerd-shim.* -address ${CONTAINERD_SOCK}( |$)" || true); do
    log "killing containerd shim ${pid} (and its containers)"
    pkill -KILL -P "${pid}" 2>/dev/null || true
    kill -KILL "${pid}" 2>/dev/null || true
  done
  if [[ -x "${BIN_DIR}/kube-proxy" && -n "${KUBE_PROXY_PID:-}" ]]; then
    "${BIN_DIR}/kube-proxy" --cleanup >>"${LOG_DIR}/kube-proxy.log" 2>&1 || log "WARNING: kube-proxy --cleanup failed"
  fi
  # The kubelet's own chains (its canaries, and KUBE-FIREWALL against martian traffic to
  # 127.0.0.0/8), in both families: kube-proxy --cleanup leaves them.
  local ipt t
  for ipt in iptables ip6tables; do
    while "${ipt}" -w -D INPUT -j KUBE-FIREWALL 2>/dev/null; do :; done
    while "${ipt}" -w -D OUTPUT -j KUBE-FIREWALL 2>/dev/null; do :; done
    if "${ipt}" -w -S KUBE-FIREWALL >/dev/null 2>&1; then
      "${ipt}" -w -F KUBE-FIREWALL && "${ipt}" -w -X KUBE-FIREWALL || failed=1
    fi
    for t in mangle filter nat; do
      ! "${ipt}" -w -t "${t}" -S KUBE-KUBELET-CANARY >/dev/null 2>&1 || "${ipt}" -w -t "${t}" -X KUBE-KUBELET-CANARY || failed=1
    done
    ! "${ipt}" -w -t mangle -S KUBE-IPTABLES-HINT >/dev/null 2>&1 || "${ipt}" -w -t mangle -X KUBE-IPTABLES-HINT || failed=1
  done
  if [[ -n "${NODE_SAVED_SYSCTLS:-}" ]]; then
    # shellcheck disable=SC2086 # one k=v a word
    sysctl -qw ${NODE_SAVED_SYSCTLS} || failed=1
  fi
  if iptables -w -S "${NODE_FORWARD_CHAIN}" >/dev/null 2>&1; then
    iptables -w -D FORWARD -j "${NODE_FORWARD_CHAIN}" -m comment --comment "example-apiserver local node ${NODE_BRIDGE}" 2>/dev/null || true
    iptables -w -F "${NODE_FORWARD_CHAIN}" && iptables -w -X "${NODE_FORWARD_CHAIN}" || failed=1
  fi
  if [[ -n "${NODE_BRIDGE_CREATED:-}" ]] && ip link show "${NODE_BRIDGE}" >/dev/null 2>&1; then
    ip link del "${NODE_BRIDGE}" || failed=1
  fi
  # Deepest first: the netns, shm and rootfs mounts of containerd, the volumes of kubelet.
  while read -r m; do
    umount -l "${m}" || failed=1
  done < <(awk -v dir="${NODE_DIR}/" 'index($2, dir) == 1 {print $2}' /proc/self/mounts | sort -r)
  if [[ -f "${NODE_LOCK}" && "$(cat "${NODE_LOCK}")" == "${LOCAL_DIR}" ]]; then
    rm -f "${NODE_LOCK}"
  fi
  ((failed == 0)) || { log "ERROR: the node's network or mounts were not all removed"; return 1; }
  log "node ${NODE_NAME}: bridge, rules, mounts and shims removed"
}
