#!/usr/bin/env bash
# Fails when go.mod or go.sum is not what `go mod tidy` would write, printing the diff.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }
