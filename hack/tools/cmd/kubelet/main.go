// Command kubelet is upstream k8s.io/kubernetes/cmd/kubelet, built from this module so the
// version is pinned by hack/tools/go.mod. hack/local-up.sh runs it as the real node of
// LOCAL_UP_NODE=real (make up NODE=real), beside KWOK's fake one.
package main

import (
	"context"
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // for client metric registration
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kubelet/app"
)

func main() {
	command := app.NewKubeletCommand(context.Background())
	code := cli.Run(command)
	os.Exit(code)
}
