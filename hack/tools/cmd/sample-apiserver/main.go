// Command sample-apiserver is upstream k8s.io/sample-apiserver (its main.go), at the
// version hack/tools/go.mod pins, built from this module. It is used only by `make bench`,
// as the baseline for example-apiserver's memory (issue 6: RSS ≤ ½ of sample-apiserver's
// for the same objects); hack/build-tools.sh builds it only when asked by name.
package main

import (
	"os"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"
	"k8s.io/sample-apiserver/pkg/cmd/server"
)

func main() {
	ctx := genericapiserver.SetupSignalContext()
	options := server.NewWardleServerOptions(os.Stdout, os.Stderr)
	cmd := server.NewCommandStartWardleServer(ctx, options, false)
	code := cli.Run(cmd)
	os.Exit(code)
}
