#!/usr/bin/env bash
# Fails when a generated file differs from what hack/update-codegen.sh produces now:
# regenerates inside a temporary copy of the tree and diffs it against the original.
set -o errexit -o nounset -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
TMP_ROOT="$(mktemp -d -t verify-codegen.XXXXXX)"
trap 'rm -rf "${TMP_ROOT}"' EXIT

# Copy the tracked and new files (not _output) so the generators run on exactly this tree.
(cd "${SCRIPT_ROOT}" && git ls-files --cached --others --exclude-standard -z | xargs -0 cp --parents -t "${TMP_ROOT}")
mkdir -p "${TMP_ROOT}/_output"
GOBIN_CACHE="${SCRIPT_ROOT}/_output/codegen-bin"
[[ -d "${GOBIN_CACHE}" ]] && cp -a "${GOBIN_CACHE}" "${TMP_ROOT}/_output/"

(cd "${TMP_ROOT}" && hack/update-codegen.sh >/dev/null)

ret=0
for dir in pkg hack/api-rules-violations.list; do
  diff -Naupr "${SCRIPT_ROOT}/${dir}" "${TMP_ROOT}/${dir}" || ret=$?
done
if [[ ${ret} -eq 0 ]]; then
  echo "generated code is up to date"
else
  echo "generated code is out of date: run hack/update-codegen.sh" >&2
fi
exit ${ret}
