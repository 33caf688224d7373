#!/usr/bin/env bash
# Fails when an API package (pkg/apis/...) depends on more of this module than the API and
# the leaf packages it shares with its callers, or on the server's world: a program that
# imports the API types (a client, a controller, a tool writing a config file) must not pull in
# Kubernetes' own packages, the feature gates and metrics of component-base, or a metrics
# backend's client. The API packages are the contracts the rest of the tree builds on, so every
# arrow points into them.
set -o errexit -o nounset -o pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
MODULE="$(go list -m)"
# The in-module leaves an API package may use: cron semantics and the query-template contract.
allowed="^${MODULE}/pkg/(apis/.*|schedule|querytemplate)$"
# k8s.io/kubernetes' validation belongs to the registry (pkg/registry/...); component-base's
# featuregate registers metrics, and its logs API registers feature gates (the configuration
# has its own copy of the logging section's types: pkg/apis/config/logging).
forbidden='^(github\.com/prometheus/|sigs\.k8s\.io/custom-metrics-apiserver(/|$)|k8s\.io/kubernetes/|k8s\.io/component-base/(featuregate|metrics|logs)(/|$)|k8s\.io/apiserver/)'

bad="$(go list -deps ./pkg/apis/... | { grep -E "^${MODULE}/|${forbidden}" || true; } | { grep -Ev "${allowed}" || true; })"
if [[ -n "${bad}" ]]; then
  echo "pkg/apis/... must not depend on:" >&2
  echo "${bad}" >&2
  echo "(who imports it: go list -deps -f '{{.ImportPath}}: {{join .Imports \" \"}}' ./pkg/apis/... | grep PACKAGE;" >&2
  echo " then move the contract into pkg/apis or a leaf package, or the code that needs it out of pkg/apis)" >&2
  exit 1
fi
echo "pkg/apis/... depends only on the API and its leaf packages"
