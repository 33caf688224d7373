#!/usr/bin/env bash
# Fails when a Go file is not gofmt-formatted, naming the files; `gofmt -w FILE` fixes them.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
unformatted="$(gofmt -l cmd pkg test hack/tools.go)"
if [[ -n "${unformatted}" ]]; then
  echo "${unformatted}"
  echo "not gofmt-formatted: run gofmt -w on the files above" >&2
  exit 1
fi
