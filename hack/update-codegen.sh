#!/usr/bin/env bash
# Regenerates every generated file: deepcopy, defaulters, conversions (pkg/apis/...),
# OpenAPI definitions (pkg/generated/openapi) and the clientset, listers, informers and
# apply configurations (pkg/generated/...). Generators come from the versions pinned in go.mod.
set -o errexit -o nounset -o pipefail

SCRIPT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "${SCRIPT_ROOT}"
THIS_PKG="example.com/example-apiserver"

# module_dir MODULE prints where a module of go.mod's build list lives, downloading it first:
# `go list -m` alone prints nothing for a module that is not in the cache yet (a fresh machine),
# and code-generator is only imported by the tools-tagged hack/tools.go, so no build fetches it.
module_dir() {
  go mod download "$1" || return
  go list -m -f '{{.Dir}}' "$1"
}

CODEGEN_PKG="$(module_dir k8s.io/code-generator)"
[[ -f "${CODEGEN_PKG}/kube_codegen.sh" ]] || { echo "k8s.io/code-generator not found in the module cache (${CODEGEN_PKG:-no directory})" >&2; exit 1; }
# Keep the generator binaries inside the tree rather than in the user's GOPATH/bin.
export GOBIN="${SCRIPT_ROOT}/_output/codegen-bin"

# shellcheck source=/dev/null
source "${CODEGEN_PKG}/kube_codegen.sh"

kube::codegen::gen_helpers \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

# The OpenAPI of example.com needs the definitions of the types it refers to: Scale
# (autoscaling/v1), ObjectReference (core/v1, CronTab status.active) and JobTemplateSpec
# (batch/v1, v2 spec.jobTemplate, with the core/v1 pod types, the scheduling/v1alpha3 types a
# JobSpec refers to and the quantities and int-or-strings a pod holds), or the server cannot
# build its OpenAPI and refuses to install the group.
kube::codegen::gen_openapi \
    --output-dir "${SCRIPT_ROOT}/pkg/generated/openapi" \
    --output-pkg "${THIS_PKG}/pkg/generated/openapi" \
    --extra-pkgs "k8s.io/api/autoscaling/v1" \
    --extra-pkgs "k8s.io/api/core/v1" \
    --extra-pkgs "k8s.io/api/batch/v1" \
    --extra-pkgs "k8s.io/api/scheduling/v1alpha3" \
    --extra-pkgs "k8s.io/apimachinery/pkg/api/resource" \
    --extra-pkgs "k8s.io/apimachinery/pkg/util/intstr" \
    --report-filename "${SCRIPT_ROOT}/hack/api-rules-violations.list" \
    --update-report \
    --output-model-name-file "zz_generated.model_name.go" \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

# status.active's ObjectReference and v2 spec.jobTemplate get client-go's apply configurations,
# as batch/v1 CronJob's do.
kube::codegen::gen_client \
    --with-watch \
    --prefers-protobuf \
    --with-applyconfig \
    --applyconfig-externals "k8s.io/api/core/v1.ObjectReference:k8s.io/client-go/applyconfigurations/core/v1,k8s.io/api/batch/v1.JobTemplateSpec:k8s.io/client-go/applyconfigurations/batch/v1" \
    --applyconfig-openapi-schema <(go run "${THIS_PKG}/pkg/generated/openapi/cmd/models-schema") \
    --output-dir "${SCRIPT_ROOT}/pkg/generated" \
    --output-pkg "${THIS_PKG}/pkg/generated" \
    --boilerplate "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    "${SCRIPT_ROOT}/pkg/apis"

# Protobuf for example.com/v1 and v2 (storage in etcd and the wire, as Kubernetes' own types do) and
# login.example.com/v1alpha1 (the generated clientset prefers protobuf):
# go-to-protobuf writes generated.proto beside the types and runs protoc with code-generator's
# protoc-gen-gogo, then goimports. It resolves .proto imports by import path under one root,
# so that root links our module, apimachinery, k8s.io/api (core/v1's ObjectReference in
# CronTab status, batch/v1's JobTemplateSpec in v2) and gogo's extensions by their import paths.
command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }
(cd "${CODEGEN_PKG}" && go install ./cmd/go-to-protobuf ./cmd/go-to-protobuf/protoc-gen-gogo)
go install "golang.org/x/tools/cmd/goimports@$(go list -m -f '{{.Version}}' golang.org/x/tools)"
GOGO_DIR="$(cd "${CODEGEN_PKG}" && go mod download -json github.com/gogo/protobuf | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
PROTO_ROOT="$(mktemp -d -t example-protobuf.XXXXXX)"
trap 'rm -rf "${PROTO_ROOT}"' EXIT
mkdir -p "${PROTO_ROOT}/example.com" "${PROTO_ROOT}/k8s.io" "${PROTO_ROOT}/github.com/gogo"
ln -s "${SCRIPT_ROOT}" "${PROTO_ROOT}/${THIS_PKG}"
APIMACHINERY_DIR="$(module_dir k8s.io/apimachinery)"
ln -s "${APIMACHINERY_DIR}" "${PROTO_ROOT}/k8s.io/apimachinery"
ln -s "$(module_dir k8s.io/api)" "${PROTO_ROOT}/k8s.io/api"
ln -s "${GOGO_DIR}" "${PROTO_ROOT}/github.com/gogo/protobuf"
PATH="${GOBIN}:${PATH}" "${GOBIN}/go-to-protobuf" \
    --go-header-file "${SCRIPT_ROOT}/hack/boilerplate.go.txt" \
    --output-dir "${PROTO_ROOT}" \
    --proto-import "${GOGO_DIR}/protobuf" \
    --apimachinery-packages "-k8s.io/apimachinery/pkg/util/intstr,-k8s.io/apimachinery/pkg/api/resource,-k8s.io/apimachinery/pkg/runtime/schema,-k8s.io/apimachinery/pkg/runtime,-k8s.io/apimachinery/pkg/apis/meta/v1,-k8s.io/api/core/v1,-k8s.io/api/batch/v1" \
    --packages "${THIS_PKG}/pkg/apis/example/v1,${THIS_PKG}/pkg/apis/example/v2,${THIS_PKG}/pkg/apis/login/v1alpha1"
