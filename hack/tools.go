//go:build tools

// Package tools pins the code generators in go.mod, so hack/update-codegen.sh runs offline
// from the module cache at exactly the version of our k8s.io libraries.
package tools

import (
	_ "k8s.io/code-generator"
	_ "k8s.io/kube-openapi/cmd/openapi-gen"
)
