#!/usr/bin/env bash
# Prints the -ldflags -X flags that stamp a build of our binaries (the Makefile and
# hack/build-plugins.sh both use them): our release into pkg/version (--version, the plugins'
# version commands, OpenAPI info) and client-go's (the User-Agent of our requests), and the
# Kubernetes release our k8s.io/* v0.X.Y libraries are (v1.X.Y) into component-base, which
# derives feature gates, the emulation version and metric deprecation from it, so it must not
# get ours.
#
# Usage: hack/ldflags.sh VERSION COMMIT BUILD_DATE
set -euo pipefail

(($# == 3)) || { echo "usage: $0 VERSION COMMIT BUILD_DATE" >&2; exit 2; }
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kube_version="$(awk '$1 == "k8s.io/component-base" && $2 ~ /^v0/ {sub(/^v0/, "v1", $2); print $2; exit}' "${ROOT}/go.mod")"
[[ "${kube_version}" == v1.* ]] || { echo "$0: no k8s.io/component-base v0.X.Y in go.mod" >&2; exit 1; }
pkg=example.com/example-apiserver/pkg/version
printf '%s' "-X ${pkg}.gitVersion=$1 -X ${pkg}.gitCommit=$2 -X ${pkg}.buildDate=$3" \
  " -X k8s.io/client-go/pkg/version.gitVersion=$1 -X k8s.io/component-base/version.gitVersion=${kube_version}"
