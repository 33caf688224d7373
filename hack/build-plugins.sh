#!/usr/bin/env bash
# Build the krew release archives of kubectl-example and write the krew manifest.
#
# Usage: hack/build-plugins.sh   (make plugins)
#
# For each platform in PLATFORMS it cross-compiles kubectl-example (reproducibly: -trimpath,
# no VCS stamp, the build date of the commit) and packs it with kubectl_complete-example into
# _output/plugins/kubectl-example_<version>_<os>_<arch>.tar.gz. Then it
# renders artifacts/krew/example.yaml: version, and per platform the download URI and the
# lowercase sha256 of that archive, which krew verifies before installing. A copy goes to
# _output/plugins/example.yaml for `kubectl krew install --manifest=... --archive=...`.
#
# Environment:
#   VERSION          plugin version, a semver with a leading v (default: git describe, else v0.0.0-dev)
#   PLATFORMS        space-separated os/arch (default: linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)
#   KREW_URI_BASE    where the archives will be downloadable from
#   KREW_MANIFEST    manifest to write (default: artifacts/krew/example.yaml)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"
OUT="${ROOT}/_output/plugins"
PLATFORMS="${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64}"
MANIFEST="${KREW_MANIFEST:-${ROOT}/artifacts/krew/example.yaml}"

VERSION="${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo v0.0.0-dev)}"
# krew requires a semantic version with a leading v; a bare commit hash is not one.
if [[ ! "${VERSION}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
  VERSION="v0.0.0-dev+${VERSION//[^0-9A-Za-z.-]/-}"
fi
KREW_URI_BASE="${KREW_URI_BASE:-https://example.com/example-apiserver/releases/download/${VERSION}}"
COMMIT="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
# The commit's date, not the wall clock: the same commit builds the same bytes.
BUILD_DATE="$(git show -s --format=%cI HEAD 2>/dev/null | xargs -I{} date -u -d {} +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo 1970-01-01T00:00:00Z)"
LDFLAGS="-s -w $(hack/ldflags.sh "${VERSION}" "${COMMIT}" "${BUILD_DATE}")"

log() { printf '[build-plugins] %s\n' "$*" >&2; }

rm -rf "${OUT}"
mkdir -p "${OUT}"
stage="$(mktemp -d)"
trap 'rm -rf "${stage}"' EXIT

platforms_yaml=""
for platform in ${PLATFORMS}; do
  os="${platform%/*}" arch="${platform#*/}"
  bin="kubectl-example" complete="kubectl_complete-example"
  [[ "${os}" == windows ]] && bin="kubectl-example.exe"
  dir="${stage}/${os}_${arch}"
  mkdir -p "${dir}"
  log "building ${platform}"
  CGO_ENABLED=0 GOOS="${os}" GOARCH="${arch}" go build -trimpath -buildvcs=false -ldflags "${LDFLAGS}" \
    -o "${dir}/${bin}" ./cmd/kubectl-example
  cp hack/kubectl_complete-example "${dir}/${complete}"
  # Fixed owners, modes and times, sorted entries: reproducible archives.
  chmod 0755 "${dir}/${bin}" "${dir}/${complete}"
  touch -d "${BUILD_DATE}" "${dir}/${bin}" "${dir}/${complete}"
  # tar.gz for every platform, Windows included: krew unpacks both, and tar needs no extra tool.
  archive="kubectl-example_${VERSION}_${os}_${arch}.tar.gz"
  tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="${BUILD_DATE}" \
    -C "${dir}" -cf - "${bin}" "${complete}" | gzip -n >"${OUT}/${archive}"
  sha="$(sha256sum "${OUT}/${archive}" | cut -d' ' -f1)"
  sha="${sha,,}" # krew compares lowercase hex
  log "  ${archive} sha256 ${sha}"
  platforms_yaml+="  - selector:
      matchLabels:
        os: ${os}
        arch: ${arch}
    uri: ${KREW_URI_BASE}/${archive}
    sha256: ${sha}
    bin: ${bin}
    files:
    - from: ${bin}
      to: .
    - from: ${complete}
      to: .
"
done

cat >"${MANIFEST}" <<MANIFEST
# krew plugin manifest for kubectl-example, written by hack/build-plugins.sh (make plugins):
# do not edit the version, uri or sha256 by hand, rebuild instead.
# Try it locally: kubectl krew install --manifest=_output/plugins/example.yaml \\
#   --archive=_output/plugins/kubectl-example_<version>_<os>_<arch>.tar.gz
apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: example
spec:
  version: ${VERSION}
  homepage: https://example.com/example-apiserver
  shortDescription: Work with CronTabs served by example-apiserver
  description: |
    kubectl example works with the example.com API of example-apiserver, an
    aggregated API server: list CronTabs with their next run (kubectl example ct),
    print the next run times of one (kubectl example next NAME), check a cron
    expression offline with the server's own parser (kubectl example validate),
    create CronTabs (kubectl example create crontab), start a run of one now
    (kubectl example run NAME), list its runs with how they ended (kubectl
    example history NAME), and check that the APIServices are registered and
    available (kubectl example status).
  caveats: |
    kubectl example needs example-apiserver registered as the APIService
    v1.example.com; "kubectl example status" says whether it is.
  platforms:
MANIFEST
printf '%s' "${platforms_yaml}" >>"${MANIFEST}"
cp "${MANIFEST}" "${OUT}/example.yaml"
log "wrote ${MANIFEST#"${ROOT}"/} and ${OUT#"${ROOT}"/}/"
