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

// Command example-credential-plugin is a client-go exec credential plugin: kubeconfig
// users[].user.exec runs "example-credential-plugin get-token ...".
package main

import (
	"context"
	"fmt"
	"os"

	"k8s.io/cli-runtime/pkg/genericiooptions"

	"example.com/example-apiserver/pkg/credentialplugin"
)

func main() {
	streams := genericiooptions.IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	if err := credentialplugin.NewCommand(streams, credentialplugin.ProcessEnv()).ExecuteContext(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, credentialplugin.ErrorLine(err))
		os.Exit(1)
	}
}
