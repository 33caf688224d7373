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

// Package e2e tests example-apiserver as users meet it: registered behind a real
// kube-apiserver (with kube-controller-manager) by hack/local-up.sh, driven by the built
// kubectl and client-go.
package e2e

import (
	"fmt"
	"os"
	"testing"

	"example.com/example-apiserver/test/e2e/framework"
)

// stack is started once for the package; tests use their own namespaces.
var stack *framework.Stack

func TestMain(m *testing.M) {
	var err error
	// A state directory of its own: neither a stack a developer has up in _output/local nor a
	// concurrent run is ever touched.
	stack, err = framework.Up("_output/e2e")
	if err != nil {
		fmt.Fprintf(os.Stderr, "bringing up the local control plane: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	if err := stack.Down(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		_ = stack.Remove()
	} else {
		fmt.Fprintf(os.Stderr, "component logs kept in %s/logs\n", stack.Dir)
	}
	os.Exit(code)
}
