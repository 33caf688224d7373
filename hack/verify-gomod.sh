#!/usr/bin/env bash
# Fails when go.mod or go.sum is not what `go mod tidy` would write, printing the diff.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
go mod tidy -diff || { echo "go.mod/go.sum are not tidy: run go mod tidy" >&2; exit 1; }
# The module of the kube-state-metrics test keeps that project's older k8s.io line out of ours,
# the dashboard snapshot's its plotting library, CoreDNS' its own dependency versions.
for module in test/monitoring/kubestatemetrics test/monitoring/dashboardsnapshot hack/tools/coredns; do
  (cd "${module}" && go mod tidy -diff) ||
    { echo "${module}: go.mod/go.sum are not tidy: run go mod tidy there" >&2; exit 1; }
done
