#!/usr/bin/env bash
# Fails when an API package (pkg/apis/...) depends on more of this module than the API and
# the leaf packages it shares with its callers, or on a metrics backend's client: the API
# packages are the contracts the rest of the tree builds on, so every arrow points into them.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
MODULE="$(go list -m)"
# The in-module leaves an API package may use: cron semantics, the query-template contract and
# what a run's Job is (validation checks the Job a CronTab's runs would create).
allowed="^${MODULE}/pkg/(apis/.*|schedule|querytemplate|crontabrun)$"
# Clients of what the server talks to at run time, never needed to read or validate a config.
forbidden='^(github\.com/prometheus/client_golang/api|sigs\.k8s\.io/custom-metrics-apiserver)(/|$)'

bad="$(go list -deps ./pkg/apis/... | { grep -E "^${MODULE}/|${forbidden}" || true; } | { grep -Ev "${allowed}" || true; })"
if [[ -n "${bad}" ]]; then
  echo "pkg/apis/... must not depend on:" >&2
  echo "${bad}" >&2
  echo "(go list -deps ./pkg/apis/... | grep PACKAGE, then move the contract into pkg/apis or a leaf package)" >&2
  exit 1
fi
echo "pkg/apis/... depends only on the API and its leaf packages"
