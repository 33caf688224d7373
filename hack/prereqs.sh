#!/usr/bin/env bash
# Checks, in the first seconds of `make run` / `make test`, the system programs the project
# needs besides Go, and installs the missing Debian packages when it can (root, or sudo
# without a password). Otherwise it stops at once with the one apt-get line to run, so a
# newcomer never meets a missing program minutes later deep inside a script.
#
# Usage: hack/prereqs.sh run|ha|node|test
#   run   what the local stack needs (hack/local-up.sh)
#   ha    that plus what its HA shape needs (LOCAL_UP_HA=1: make up HA=1, make test-ha)
#   node  that of run plus what its real node needs (LOCAL_UP_NODE=real: make up NODE=real)
#   test  all of that plus what the suites need (codegen check, external-metrics e2e)
# Env:    PREREQS_NO_INSTALL=1 only checks.
set -euo pipefail

# program -> Debian package
declare -A stack=(
  [openssl]=openssl   # the local PKI
  [curl]=curl         # readiness probes of the local stack
  [base64]=coreutils  # kubeconfigs with embedded certificates
  [setsid]=util-linux # process groups, so `make down` stops whole trees
  [slapd]=slapd       # the LDAP directory of the login (hack/lib/ldap.sh)
  [ldapsearch]=ldap-utils # its readiness probe
)
declare -A ha=(
  [haproxy]=haproxy # the load balancer in front of example-apiserver's replicas
)
# The real node (hack/lib/node.sh) and make test-image's containerd.
declare -A node=(
  [containerd]=containerd
  [ctr]=containerd
  [runc]=runc
  [iptables]=iptables   # kube-proxy's Services, the CNI bridge plugin's rules
  [conntrack]=conntrack # kube-proxy clears stale UDP entries with it
  [/usr/lib/cni/bridge]=containernetworking-plugins # with host-local, loopback and portmap
)
declare -A suites=(
  [protoc]=protobuf-compiler # hack/update-codegen.sh (make verify)
  [prometheus]=prometheus    # the external-metrics e2e scrapes a test exporter with it; the package also has promtool (make test-monitoring)
  [git]=git                  # hack/verify-codegen.sh copies the tracked tree
  [shellcheck]=shellcheck    # make verify lints the shell scripts
)

case "${1:-}" in
  run | ha | node | test) ;;
  *) echo "usage: $0 run|ha|node|test" >&2; exit 2 ;;
esac

command -v go >/dev/null 2>&1 || { echo "prereqs: go not found: install Go 1.26 (https://go.dev/doc/install)" >&2; exit 1; }

missing=()
for program in "${!stack[@]}"; do
  command -v "${program}" >/dev/null 2>&1 || missing+=("${stack[${program}]}")
done
if [[ "$1" == ha || "$1" == test ]]; then
  for program in "${!ha[@]}"; do
    command -v "${program}" >/dev/null 2>&1 || missing+=("${ha[${program}]}")
  done
fi
if [[ "$1" == node || "$1" == test ]]; then
  # A path is a file that must exist (the CNI plugins are not on PATH).
  for program in "${!node[@]}"; do
    if [[ "${program}" == /* ]]; then
      [[ -x "${program}" ]] || missing+=("${node[${program}]}")
    else
      command -v "${program}" >/dev/null 2>&1 || missing+=("${node[${program}]}")
    fi
  done
fi
if [[ "$1" == test ]]; then
  for program in "${!suites[@]}"; do
    command -v "${program}" >/dev/null 2>&1 || missing+=("${suites[${program}]}")
  done
fi
((${#missing[@]})) || exit 0

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
install_line="apt-get install -y ${missing[*]}"
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    as_root=(none)
  fi
fi
if [[ "${PREREQS_NO_INSTALL:-0}" == 1 || "${as_root[0]:-}" == none ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "prereqs: missing ${missing[*]}: run  sudo apt-get update && sudo ${install_line}" >&2
  exit 1
fi
echo "prereqs: installing ${missing[*]} (apt-get)" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
