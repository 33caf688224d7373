#!/usr/bin/env bash
# Builds the binaries the local control plane needs (hack/local-up.sh) into
# _output/bin/: from the separate Go module in hack/tools/
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd
# and, only when named, sample-apiserver (make bench's memory baseline) and
# kubelet and kube-proxy (the real node of LOCAL_UP_NODE=real); plus
#   kwok (the fake nodes' kubelet) and, when named, crictl (the real node's CRI
#   client), coredns (its cluster DNS, run as a pod) and helm (make test-helm's and
#   test-deploy's chart checks), each installed from its own module with
#   `go install PACKAGE@VERSION`,
#   so that the k8s.io versions they require never meet ours.
#
# Versions come from hack/tools/go.mod (k8s.io/kubernetes and every staging
# module replaced to the matching v0.x tag; etcd at the version kubernetes pins)
# and the versions of GO_INSTALL below. A tool is rebuilt only when it is missing or older
# than this script or (hack/tools' tools) than hack/tools/go.mod, go.sum or any
# .go file under hack/tools, or when the Go version / ldflags / go install version
# changed (recorded in _output/bin/.<tool>.stamp).
#
# Usage: hack/build-tools.sh [tool...]     (default: all but sample-apiserver)
# Env:   FORCE=1 rebuilds regardless of the up-to-date check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${ROOT}/hack/tools"
BIN_DIR="${ROOT}/_output/bin"
SELF="${ROOT}/hack/build-tools.sh"
ALL_TOOLS=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)
# Tools from modules of their own: go install of PACKAGE@VERSION.
declare -A GO_INSTALL=(
  [kwok]=sigs.k8s.io/kwok/cmd/kwok@v0.8.0
  [crictl]=sigs.k8s.io/cri-tools/cmd/crictl@v1.37.0
  [coredns]=github.com/coredns/coredns@v1.15.0
  [helm]=helm.sh/helm/v4/cmd/helm@v4.3.2
)
# Their version stamps, as their own release builds set them (go install knows no tag).
declare -A GO_INSTALL_LDFLAGS=(
  [helm]="-X helm.sh/helm/v4/internal/version.version=v4.3.2"
)
# Tools that run in an image of ours (no libc there): built with CGO_ENABLED=0.
declare -A STATIC=([coredns]=1)
# Built only when named, so `make tools` (and the suites that depend on it) stay fast.
OPTIONAL_TOOLS=(sample-apiserver kubelet kube-proxy crictl coredns helm)

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"

if (($# > 0)); then
  TOOLS=("$@")
  for t in "${TOOLS[@]}"; do
    [[ -n "${GO_INSTALL[${t}]:-}" || -f "${TOOLS_DIR}/cmd/${t}/main.go" ]] || die "unknown tool '${t}' (known: ${ALL_TOOLS[*]} ${OPTIONAL_TOOLS[*]})"
  done
else
  TOOLS=("${ALL_TOOLS[@]}")
fi

# The Kubernetes version is the one hack/tools/go.mod requires (cheap: no go list).
KUBE_VERSION="$(awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ {print $2; exit}' "${TOOLS_DIR}/go.mod")"
[[ "${KUBE_VERSION}" =~ ^v([0-9]+)\.([0-9]+)\.[0-9]+ ]] || die "cannot read k8s.io/kubernetes version from hack/tools/go.mod"
KUBE_MAJOR="${BASH_REMATCH[1]}"
KUBE_MINOR="${BASH_REMATCH[2]}"

# Same variables upstream hack/lib/version.sh stamps (buildDate/gitCommit are
# left at their defaults so that builds are reproducible).
LDFLAGS=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  LDFLAGS+=" -X ${pkg}.gitVersion=${KUBE_VERSION}"
  LDFLAGS+=" -X ${pkg}.gitMajor=${KUBE_MAJOR}"
  LDFLAGS+=" -X ${pkg}.gitMinor=${KUBE_MINOR}"
  LDFLAGS+=" -X ${pkg}.gitTreeState=clean"
done
LDFLAGS="${LDFLAGS# }"

mkdir -p "${BIN_DIR}"
# Settings that change a binary without touching its inputs' mtimes; recorded
# per tool in _output/bin/.<tool>.stamp after a successful build.
GO_SETTINGS="$(go env GOVERSION GOOS GOARCH CGO_ENABLED | tr '\n' ' ')"
stamp_want() {
  if [[ -n "${GO_INSTALL[$1]:-}" ]]; then
    printf '%s| %s%s%s' "${GO_SETTINGS}" "${STATIC[$1]:+static }" "${GO_INSTALL[$1]}" "${GO_INSTALL_LDFLAGS[$1]:+ ${GO_INSTALL_LDFLAGS[$1]}}"
  else
    printf '%s| %s' "${GO_SETTINGS}" "${LDFLAGS}"
  fi
}

# up_to_date TOOL: binary exists, was built with these settings, and is newer
# than every input.
up_to_date() {
  local bin="${BIN_DIR}/$1" stamp="${BIN_DIR}/.$1.stamp"
  [[ "${FORCE:-0}" != 1 && -x "${bin}" && -f "${stamp}" ]] || return 1
  [[ "$(cat "${stamp}")" == "$(stamp_want "$1")" && "${bin}" -nt "${SELF}" ]] || return 1
  # kwok, crictl, coredns and helm come from their own modules: hack/tools is not their input.
  [[ -z "${GO_INSTALL[$1]:-}" ]] || return 0
  [[ "${bin}" -nt "${TOOLS_DIR}/go.mod" && "${bin}" -nt "${TOOLS_DIR}/go.sum" ]] || return 1
  # Any .go file in the tools module newer than the binary?
  [[ -z "$(find "${TOOLS_DIR}" -name '*.go' -newer "${bin}" -print -quit)" ]]
}

# build TOOL OUT: build TOOL to the file OUT.
build() {
  local tool="$1" out="$2" gobin
  if [[ -z "${GO_INSTALL[${tool}]:-}" ]]; then
    (cd "${TOOLS_DIR}" && go build -ldflags "${LDFLAGS}" -o "${out}" "./cmd/${tool}")
    return
  fi
  # go install names the binary itself: install into a directory of its own.
  gobin="${out}.d"
  rm -rf "${gobin}"
  local cgo
  cgo="$(go env CGO_ENABLED)"
  [[ -z "${STATIC[${tool}]:-}" ]] || cgo=0
  CGO_ENABLED="${cgo}" GOBIN="${gobin}" go install -ldflags "${GO_INSTALL_LDFLAGS[${tool}]:-}" "${GO_INSTALL[${tool}]}" &&
    mv -f "${gobin}/${tool}" "${out}" && rm -rf "${gobin}"
}

built_any=0
for t in "${TOOLS[@]}"; do
  out="${BIN_DIR}/${t}"
  if up_to_date "${t}"; then
    log "${t}: up to date (${out#"${ROOT}"/})"
    continue
  fi
  if [[ -n "${GO_INSTALL[${t}]:-}" ]]; then
    log "${t}: installing ${GO_INSTALL[${t}]} -> ${out#"${ROOT}"/} ..."
  else
    log "${t}: building from hack/tools (kubernetes ${KUBE_VERSION}) -> ${out#"${ROOT}"/} ..."
  fi
  start=${SECONDS}
  rm -f "${BIN_DIR}/.${t}.stamp"
  # Build to a temporary name and rename, so a failed or interrupted build
  # never leaves a half-written binary that looks up to date.
  build "${t}" "${out}.tmp" || { rm -rf "${out}.tmp" "${out}.tmp.d"; die "building ${t} failed"; }
  mv -f "${out}.tmp" "${out}"
  stamp_want "${t}" >"${BIN_DIR}/.${t}.stamp"
  log "${t}: built in $((SECONDS - start))s"
  built_any=1
done

if [[ "${built_any}" == 0 ]]; then
  log "all requested tools up to date"
fi
