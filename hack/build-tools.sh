#!/usr/bin/env bash
# Builds the binaries the local control plane needs (hack/local-up.sh) into
# _output/bin/: from the separate Go module in hack/tools/
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd and kwok (the
#   fake nodes' kubelet, v0.8.0, on the same Kubernetes libraries)
# and, only when named, sample-apiserver (make bench's memory baseline) and kubelet and
# kube-proxy (the real node of LOCAL_UP_NODE=real); plus, when named, crictl (the real
# node's CRI client) and helm (make test-helm's and test-deploy's chart checks), each
# installed from its own module with `go install PACKAGE@VERSION`, and coredns (the real
# node's cluster DNS, run as a pod) from the module in hack/tools/coredns, so that the
# dependency versions they require never meet the Kubernetes tools'.
#
# Versions come from hack/tools/go.mod (k8s.io/kubernetes and every staging
# module replaced to the matching v0.x tag; etcd at the version kubernetes pins)
# and the versions of GO_INSTALL below. A tool is rebuilt only when it is missing or older
# than this script or than its module's go.mod, go.sum or .go files (hack/tools', or
# hack/tools/coredns' for coredns), or when the Go version / flags / go install version
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
  [crictl]=sigs.k8s.io/cri-tools/cmd/crictl@v1.37.0
  [helm]=helm.sh/helm/v4/cmd/helm@v4.3.2
)
# Their version stamps, as their own release builds set them (go install knows no tag).
declare -A GO_INSTALL_LDFLAGS=(
  [helm]="-X helm.sh/helm/v4/internal/version.version=v4.3.2"
)
# Tools built from a module of ours inside hack/tools, whose own go.mod pins their versions.
declare -A MODULE_DIR=(
  [coredns]="${TOOLS_DIR}/coredns"
)
# Built only when named, so `make tools` (and the suites that depend on it) stay fast.
OPTIONAL_TOOLS=(sample-apiserver kubelet kube-proxy crictl coredns helm)

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"

if (($# > 0)); then
  TOOLS=("$@")
  for t in "${TOOLS[@]}"; do
    [[ -n "${GO_INSTALL[${t}]:-}" || -n "${MODULE_DIR[${t}]:-}" || -f "${TOOLS_DIR}/cmd/${t}/main.go" ]] || die "unknown tool '${t}' (known: ${ALL_TOOLS[*]} ${OPTIONAL_TOOLS[*]})"
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
# As Kubernetes' own release builds (hack/lib/golang.sh without DBG=1): no symbol table nor
# DWARF, which makes linking the large binaries markedly faster; stack traces and pprof read
# the pclntab, which stays. Static (CGO_ENABLED=0, as upstream builds its servers; CoreDNS runs
# in an image without libc) and -trimpath, as the Makefile builds and tests everything: a
# package compiled with other settings is compiled again, and every package above net is.
export CGO_ENABLED=0
BUILD_FLAGS=(-trimpath)
STRIP_LDFLAGS="-s -w"

mkdir -p "${BIN_DIR}"
# Settings that change a binary without touching its inputs' mtimes; recorded
# per tool in _output/bin/.<tool>.stamp after a successful build.
GO_SETTINGS="$(go env GOVERSION GOOS GOARCH CGO_ENABLED | tr '\n' ' ')"
stamp_want() {
  local source="${LDFLAGS}"
  if [[ -n "${MODULE_DIR[$1]:-}" ]]; then
    source="${MODULE_DIR[$1]#"${ROOT}"/}"
  elif [[ -n "${GO_INSTALL[$1]:-}" ]]; then
    source="${GO_INSTALL[$1]}${GO_INSTALL_LDFLAGS[$1]:+ ${GO_INSTALL_LDFLAGS[$1]}}"
  fi
  printf '%s| %s | %s' "${GO_SETTINGS}" "${BUILD_FLAGS[*]} ${STRIP_LDFLAGS}" "${source}"
}

# up_to_date TOOL: binary exists, was built with these settings, and is newer
# than every input.
up_to_date() {
  local bin="${BIN_DIR}/$1" stamp="${BIN_DIR}/.$1.stamp"
  [[ "${FORCE:-0}" != 1 && -x "${bin}" && -f "${stamp}" ]] || return 1
  [[ "$(cat "${stamp}")" == "$(stamp_want "$1")" && "${bin}" -nt "${SELF}" ]] || return 1
  # crictl and helm come from their own modules: hack/tools is not their input.
  [[ -z "${GO_INSTALL[$1]:-}" ]] || return 0
  local module="${MODULE_DIR[$1]:-${TOOLS_DIR}}"
  [[ "${bin}" -nt "${module}/go.mod" && "${bin}" -nt "${module}/go.sum" ]] || return 1
  # Any .go file of that module (not of a module nested in it) newer than the binary?
  [[ -z "$(find "${module}" -mindepth 1 -type d -exec test -e '{}/go.mod' ';' -prune -o -name '*.go' -newer "${bin}" -print -quit)" ]]
}

# build TOOL OUT: build TOOL to the file OUT.
build() {
  local tool="$1" out="$2" gobin
  if [[ -n "${MODULE_DIR[${tool}]:-}" ]]; then
    (cd "${MODULE_DIR[${tool}]}" && go build "${BUILD_FLAGS[@]}" -ldflags "${STRIP_LDFLAGS}" -o "${out}" .)
    return
  fi
  if [[ -z "${GO_INSTALL[${tool}]:-}" ]]; then
    (cd "${TOOLS_DIR}" && go build "${BUILD_FLAGS[@]}" -ldflags "${STRIP_LDFLAGS} ${LDFLAGS}" -o "${out}" "./cmd/${tool}")
    return
  fi
  # go install names the binary itself: install into a directory of its own.
  gobin="${out}.d"
  rm -rf "${gobin}"
  GOBIN="${gobin}" go install "${BUILD_FLAGS[@]}" -ldflags "${STRIP_LDFLAGS}${GO_INSTALL_LDFLAGS[${tool}]:+ ${GO_INSTALL_LDFLAGS[${tool}]}}" "${GO_INSTALL[${tool}]}" &&
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
  elif [[ -n "${MODULE_DIR[${t}]:-}" ]]; then
    log "${t}: building from ${MODULE_DIR[${t}]#"${ROOT}"/} -> ${out#"${ROOT}"/} ..."
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
