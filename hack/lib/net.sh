# Ports and probes of hack/local-up.sh (bash only: CI has no python): pick_port, http_ok, healthz_ok, wait_until.
# Expects WAIT_TIMEOUT; wait_until uses component_running (process.sh), pick_port die (log.sh).
# shellcheck shell=bash
# SC2154: set by hack/local-up.sh (partly through env_set).
# shellcheck disable=SC2154

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

# healthz_ok URL: an HTTPS health endpoint answers ok (certificate not verified).
healthz_ok() {
  local out
  out="$(curl -sk --max-time 5 "$1" 2>&1)" || { printf '%s\n' "${out:-connection failed}"; return 1; }
  printf '%s\n' "${out}"
  [[ "${out}" == ok ]]
}

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
