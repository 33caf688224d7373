/*
Copyright The example-apiserver Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

// Command example-controller-manager runs the controllers of the example.com API group.
package main

import (
	"os"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"

	"example.com/example-apiserver/pkg/cmd/controllermanager"
)

func main() {
	ctx := genericapiserver.SetupSignalContext()
	os.Exit(cli.Run(controllermanager.NewCommand(ctx, controllermanager.NewOptions())))
}
