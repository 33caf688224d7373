# etcd cluster of hack/local-up.sh's HA shape (LOCAL_UP_HA=1): three members on 127.0.0.1 whose peers and clients speak TLS with certificates of the stack's own etcd CA, as artifacts/deploy/etcd.yaml in a cluster; a member can be killed and started again on its data.
# Expects BIN_DIR, DATA_DIR, PKI_DIR, ETCD_EXTRA_FLAGS.
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

ETCD_MEMBER_COUNT=3

# etcd_cluster_members: the members' component names, etcd-0 ... etcd-2.
etcd_cluster_members() {
  local i
  for ((i = 0; i < ETCD_MEMBER_COUNT; i++)); do
    printf 'etcd-%d\n' "${i}"
  done
}

# etcd_cluster_record_ports: picks each member's client and peer port and records them
# (ETCD_<i>_PORT, ETCD_<i>_PEER_PORT), the client URLs of all members (ETCD_SERVERS, what
# kube-apiserver and example-apiserver are given) and the client certificate files.
etcd_cluster_record_ports() {
  local i client peer servers=()
  for ((i = 0; i < ETCD_MEMBER_COUNT; i++)); do
    pick_port client
    pick_port peer
    env_set "ETCD_${i}_PORT" "${client}"
    env_set "ETCD_${i}_PEER_PORT" "${peer}"
    servers+=("https://127.0.0.1:${client}")
  done
  env_set ETCD_SERVERS "$(IFS=,; printf '%s' "${servers[*]}")"
  # The first member's port where a single address is expected (e.g. to read etcd directly).
  env_set ETCD_PORT "${ETCD_0_PORT}"
  env_set ETCD_CAFILE "${PKI_DIR}/etcd-ca.crt"
  env_set ETCD_CERTFILE "${PKI_DIR}/etcd-admin-client.crt"
  env_set ETCD_KEYFILE "${PKI_DIR}/etcd-admin-client.key"
}

# etcd_cluster_pki: the etcd CA, each member's serving and peer certificate, and one client
# certificate per client: kube-apiserver, example-apiserver and the admin (tests, etcdctl).
etcd_cluster_pki() {
  local member
  pki_ca etcd-ca local-up-etcd-ca
  while read -r member; do
    pki_cert etcd-ca "${member}-server" "/CN=${member}" server "IP:127.0.0.1,DNS:localhost"
    # A peer both dials and is dialed.
    pki_cert etcd-ca "${member}-peer" "/CN=${member}" peer "IP:127.0.0.1,DNS:localhost"
  done < <(etcd_cluster_members)
  pki_cert etcd-ca kube-apiserver-etcd-client "/CN=kube-apiserver" client
  pki_cert etcd-ca example-apiserver-etcd-client "/CN=example-apiserver" client
  pki_cert etcd-ca etcd-admin-client "/CN=admin" client
}

# etcd_client_flags CLIENT: the --etcd-* TLS flags of CLIENT (kube-apiserver or
# example-apiserver), one a line.
etcd_client_flags() {
  printf '%s\n' "--etcd-cafile=${PKI_DIR}/etcd-ca.crt" \
    "--etcd-certfile=${PKI_DIR}/$1-etcd-client.crt" "--etcd-keyfile=${PKI_DIR}/$1-etcd-client.key"
}

# start_etcd_cluster: starts every member, then waits for each to be healthy; none is before
# a quorum runs.
start_etcd_cluster() {
  local -a extra
  local i initial_cluster="" member
  for ((i = 0; i < ETCD_MEMBER_COUNT; i++)); do
    local peer_port_var="ETCD_${i}_PEER_PORT"
    initial_cluster+="${initial_cluster:+,}etcd-${i}=https://127.0.0.1:${!peer_port_var}"
  done
  read -ra extra <<<"${ETCD_EXTRA_FLAGS:-}"
  for ((i = 0; i < ETCD_MEMBER_COUNT; i++)); do
    member="etcd-${i}"
    local client_port_var="ETCD_${i}_PORT" peer_port_var="ETCD_${i}_PEER_PORT"
    local client_url="https://127.0.0.1:${!client_port_var}" peer_url="https://127.0.0.1:${!peer_port_var}"
    start_component "${member}" "${BIN_DIR}/etcd" \
      --name="${member}" \
      --data-dir="${DATA_DIR}/${member}" \
      --initial-cluster="${initial_cluster}" \
      --initial-cluster-state=new \
      --initial-cluster-token=local-up \
      --listen-client-urls="${client_url}" \
      --advertise-client-urls="${client_url}" \
      --listen-peer-urls="${peer_url}" \
      --initial-advertise-peer-urls="${peer_url}" \
      --client-cert-auth=true \
      --trusted-ca-file="${PKI_DIR}/etcd-ca.crt" \
      --cert-file="${PKI_DIR}/${member}-server.crt" \
      --key-file="${PKI_DIR}/${member}-server.key" \
      --peer-client-cert-auth=true \
      --peer-trusted-ca-file="${PKI_DIR}/etcd-ca.crt" \
      --peer-cert-file="${PKI_DIR}/${member}-peer.crt" \
      --peer-key-file="${PKI_DIR}/${member}-peer.key" \
      --unsafe-no-fsync=true \
      --log-level=warn \
      "${extra[@]}"
  done
  for ((i = 0; i < ETCD_MEMBER_COUNT; i++)); do
    local client_port_var="ETCD_${i}_PORT"
    wait_until "etcd-${i} /health on https://127.0.0.1:${!client_port_var}" "etcd-${i}" \
      etcd_healthy "https://127.0.0.1:${!client_port_var}" || fail
  done
}

# etcd_healthy URL: the member at URL answers /health with health true (it has a leader).
etcd_healthy() {
  local out
  out="$(curl -sS --max-time 5 --cacert "${PKI_DIR}/etcd-ca.crt" \
    --cert "${PKI_DIR}/etcd-admin-client.crt" --key "${PKI_DIR}/etcd-admin-client.key" "$1/health" 2>&1)" || {
    printf '%s\n' "${out:-connection failed}"
    return 1
  }
  printf '%s\n' "${out}"
  [[ "${out}" == *'"health":"true"'* ]]
}
