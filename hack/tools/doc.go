// Package tools is the root of a separate Go module holding the binaries the
// local development stack needs (kube-apiserver, kube-controller-manager,
// kubectl, etcd, and the real node's kubelet and kube-proxy). Keeping them here
// stops k8s.io/kubernetes from entering the main module's dependency graph.
// Build them with hack/build-tools.sh.
package tools
