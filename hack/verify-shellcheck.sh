#!/usr/bin/env bash
# Fails on shellcheck findings in the scripts (hack/, hack/lib/, the CI entry point).
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
shellcheck -x hack/*.sh hack/lib/*.sh .ci/run
