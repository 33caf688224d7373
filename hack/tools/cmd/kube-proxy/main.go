// Command kube-proxy is upstream k8s.io/kubernetes/cmd/kube-proxy, built from this module so
// the version is pinned by hack/tools/go.mod. hack/local-up.sh runs it beside the real node's
// kubelet (LOCAL_UP_NODE=real), for ClusterIP Services.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // for client metric registration
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-proxy/app"
)

func main() {
	command := app.NewProxyCommand()
	code := cli.Run(command)
	os.Exit(code)
}
