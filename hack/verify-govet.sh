#!/usr/bin/env bash
# Fails on go vet findings anywhere in the module.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
go vet ./...
(cd test/monitoring/kubestatemetrics && go vet ./...)
(cd test/monitoring/dashboardsnapshot && go vet ./...)
