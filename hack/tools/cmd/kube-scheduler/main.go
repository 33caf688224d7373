// Command kube-scheduler is upstream k8s.io/kubernetes/cmd/kube-scheduler,
// built from this module so the version is pinned by hack/tools/go.mod. It is
// used only by hack/local-up.sh, to bind pods to the KWOK fake nodes.
package main

import (
	"os"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // for JSON log format registration
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // load all the prometheus client-go plugin
	_ "k8s.io/component-base/metrics/prometheus/version"  // for version metric registration
	"k8s.io/kubernetes/cmd/kube-scheduler/app"
)

func main() {
	command := app.NewSchedulerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
