#!/usr/bin/env bash
# Runs every hack/verify-*.sh, each to the end, and names the ones that failed, so a red CI
# says which check to rerun. `make verify` is this script.
# verify-cold is not one of them: it is verify-codegen.sh from an empty module cache.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
failed=()
for check in hack/verify-*.sh; do
  [[ "${check}" == hack/verify-all.sh ]] && continue
  echo "== ${check}"
  "${check}" || failed+=("${check}")
done
if ((${#failed[@]} > 0)); then
  echo "FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "all verify checks passed"
