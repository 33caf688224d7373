#!/usr/bin/env bash
# Builds the binaries the local control plane needs (hack/local-up.sh) from the
# separate Go module in hack/tools/ into _output/bin/:
#   kube-apiserver, kube-controller-manager, kubectl, etcd
# and, only when named, sample-apiserver (make bench's memory baseline).
#
# Versions come from hack/tools/go.mod (k8s.io/kubernetes and every staging
# module replaced to the matching v0.x tag; etcd at the version kubernetes pins).
# A tool is rebuilt only when it is missing or older than hack/tools/go.mod,
# go.sum, any .go file under hack/tools, or this script, or when the Go
# version / ldflags changed (recorded in _output/bin/.<tool>.stamp).
#
# Usage: hack/build-tools.sh [tool...]     (default: the four above)
# Env:   FORCE=1 rebuilds regardless of the up-to-date check.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${ROOT}/hack/tools"
BIN_DIR="${ROOT}/_output/bin"
SELF="${ROOT}/hack/build-tools.sh"
ALL_TOOLS=(kube-apiserver kube-controller-manager kubectl etcd)
# Built only when named, so `make tools` (and the suites that depend on it) stay fast.
OPTIONAL_TOOLS=(sample-apiserver)

log() { printf '[build-tools] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH"

if (($# > 0)); then
  TOOLS=("$@")
  for t in "${TOOLS[@]}"; do
    [[ -f "${TOOLS_DIR}/cmd/${t}/main.go" ]] || die "unknown tool '${t}' (known: ${ALL_TOOLS[*]} ${OPTIONAL_TOOLS[*]})"
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
STAMP_WANT="$(go env GOVERSION GOOS GOARCH CGO_ENABLED | tr '\n' ' ')| ${LDFLAGS}"

# up_to_date TOOL: binary exists, was built with these settings, and is newer
# than every input.
up_to_date() {
  local bin="${BIN_DIR}/$1" stamp="${BIN_DIR}/.$1.stamp"
  [[ "${FORCE:-0}" != 1 && -x "${bin}" && -f "${stamp}" ]] || return 1
  [[ "$(cat "${stamp}")" == "${STAMP_WANT}" ]] || return 1
  [[ "${bin}" -nt "${TOOLS_DIR}/go.mod" && "${bin}" -nt "${TOOLS_DIR}/go.sum" && "${bin}" -nt "${SELF}" ]] || return 1
  # Any .go file in the tools module newer than the binary?
  [[ -z "$(find "${TOOLS_DIR}" -name '*.go' -newer "${bin}" -print -quit)" ]]
}

built_any=0
for t in "${TOOLS[@]}"; do
  out="${BIN_DIR}/${t}"
  if up_to_date "${t}"; then
    log "${t}: up to date (${out#"${ROOT}"/})"
    continue
  fi
  log "${t}: building from hack/tools (kubernetes ${KUBE_VERSION}) -> ${out#"${ROOT}"/} ..."
  start=${SECONDS}
  rm -f "${BIN_DIR}/.${t}.stamp"
  # Build to a temporary name and rename, so a failed or interrupted build
  # never leaves a half-written binary that looks up to date.
  (cd "${TOOLS_DIR}" && go build -ldflags "${LDFLAGS}" -o "${out}.tmp" "./cmd/${t}") \
    || { rm -f "${out}.tmp"; die "building ${t} failed"; }
  mv -f "${out}.tmp" "${out}"
  printf '%s' "${STAMP_WANT}" >"${BIN_DIR}/.${t}.stamp"
  log "${t}: built in $((SECONDS - start))s"
  built_any=1
done

if [[ "${built_any}" == 0 ]]; then
  log "all requested tools up to date"
fi
