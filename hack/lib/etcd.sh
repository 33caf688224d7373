# etcd of hack/local-up.sh: start_etcd, one member on 127.0.0.1, and its /health check.
# Expects BIN_DIR, DATA_DIR, ETCD_SERVERS, ETCD_PORT, ETCD_PEER_PORT, ETCD_EXTRA_FLAGS.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

# start_etcd: the single member kube-apiserver and example-apiserver store in.
start_etcd() {
  local -a extra
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
}
