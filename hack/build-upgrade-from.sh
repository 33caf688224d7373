#!/usr/bin/env bash
# Builds example-apiserver as released at REF (the release an upgrade starts from) into
# _output/upgrade/<commit>/ and prints the binary's path. The tree comes from git archive, so
# the worktree is not touched; a commit already built is not built again, and the shared Go
# build cache (-trimpath makes it independent of the directory) keeps a first build short.
#
# Usage: hack/build-upgrade-from.sh REF
set -euo pipefail

(($# == 1)) || { echo "usage: $0 REF" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
commit="$(git -C "${ROOT}" rev-parse --verify "$1^{commit}")"
out="${ROOT}/_output/upgrade/${commit}"
bin="${out}/example-apiserver"
if [[ ! -x "${bin}" ]]; then
  src="$(mktemp -d -t upgrade-from.XXXXXX)"
  trap 'rm -rf "${src}"' EXIT
  git -C "${ROOT}" archive "${commit}" | tar -x -C "${src}"
  build_date="$(TZ=UTC git -C "${ROOT}" show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ "${commit}")"
  # Stamped as that release stamps itself, with its own hack/ldflags.sh.
  ldflags="$("${src}/hack/ldflags.sh" "v0.1.0-dev+${commit:0:7}" "${commit}" "${build_date}")"
  mkdir -p "${out}"
  (cd "${src}" && CGO_ENABLED=0 go build -trimpath -ldflags "${ldflags}" -o "${bin}.tmp" ./cmd/example-apiserver)
  mv "${bin}.tmp" "${bin}"
  echo "built example-apiserver at ${commit} into ${out}" >&2
fi
echo "${bin}"
