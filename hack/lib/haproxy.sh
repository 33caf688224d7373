# HAProxy of hack/local-up.sh's HA shape (LOCAL_UP_HA=1), in front of the example-apiserver replicas: the aggregator reaches an APIService through one address, as a Service gives it in a cluster.
# Expects LOCAL_DIR, LOG_DIR, PKI_DIR.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154
#
# Like a Service whose pods have a readiness probe, it sends connections only to replicas whose
# /readyz answers 200 (checked over TLS against the serving CA every second); unlike kube-proxy
# it also retries a refused connection on the other replica.

# haproxy_config FILE PORT CA_FILE SOCKET NAME=PORT...: writes HAProxy's configuration: listen
# on 127.0.0.1:PORT, balance over the backends NAME at 127.0.0.1:PORT, answer `show stat` (which
# replicas it sends traffic to) on the unix socket SOCKET.
haproxy_config() {
  local file="$1" port="$2" ca="$3" socket="$4" backend
  shift 4
  {
    cat <<EOF_CONFIG
# Written by hack/local-up.sh (hack/lib/haproxy.sh).
global
  log stderr format raw local0 info
  maxconn 4096
  stats socket ${socket} mode 600 level user

defaults
  mode tcp
  log global
  option tcplog
  option dontlognull
  timeout connect 2s
  # Watches stay open for minutes; the API servers end them themselves.
  timeout client 1h
  timeout server 1h
  # A refused connection (a replica just killed) is retried once on another replica.
  retries 1
  option redispatch

frontend example-apiserver
  bind 127.0.0.1:${port}
  default_backend example-apiserver

backend example-apiserver
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  # A replica out of service has its connections closed, so clients reconnect to the other.
  # A refused connection takes it out at once: a process started again on the same port
  # within the check interval must not get traffic before its /readyz has passed twice
  # (kubelet likewise resets a restarted container's readiness).
  default-server check check-ssl verify required ca-file ${ca} inter 1s fall 2 rise 2 on-marked-down shutdown-sessions observe layer4 error-limit 1 on-error mark-down
EOF_CONFIG
    for backend in "$@"; do
      printf '  server %s 127.0.0.1:%s\n' "${backend%%=*}" "${backend#*=}"
    done
  } >"${file}"
}

# start_haproxy PORT NAME=PORT...: HAProxy on 127.0.0.1:PORT in front of the replicas; returns
# once /readyz answers ok through it.
start_haproxy() {
  local port="$1" config="${LOCAL_DIR}/haproxy.cfg" haproxy
  shift
  haproxy="$(command -v haproxy)" || die "haproxy not found (Debian: apt-get install -y haproxy)"
  env_set HAPROXY_SOCKET "${LOCAL_DIR}/haproxy.sock"
  haproxy_config "${config}" "${port}" "${PKI_DIR}/example-serving-ca.crt" "${HAPROXY_SOCKET}" "$@"
  "${haproxy}" -c -q -f "${config}" >>"${LOG_DIR}/haproxy.log" 2>&1 || fail "haproxy rejected ${config}"
  # -db: in the foreground, so its PID is the one recorded and stopped.
  start_component haproxy "${haproxy}" -db -f "${config}"
  wait_until "example-apiserver /readyz through haproxy on https://127.0.0.1:${port}" haproxy \
    kc --server="https://127.0.0.1:${port}" --certificate-authority="${PKI_DIR}/example-serving-ca.crt" \
    get --raw /readyz --request-timeout=5s || fail
}
