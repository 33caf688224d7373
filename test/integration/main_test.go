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

// Package integration tests example-apiserver in-process against a real (embedded) etcd,
// through the generated clientset and raw HTTP, as clients see it.
package integration

import (
	"fmt"
	"os"
	"testing"

	"example.com/example-apiserver/test/integration/framework"
)

// server is shared by the package's tests: starting etcd and the apiserver once keeps the
// suite fast; tests use their own namespaces or names so they do not interfere.
var server *framework.TestServer

func TestMain(m *testing.M) {
	var err error
	server, err = framework.StartServer()
	if err != nil {
		fmt.Fprintf(os.Stderr, "starting example-apiserver: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	server.Stop()
	os.Exit(code)
}
