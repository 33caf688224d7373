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

// Package ha kills, one at a time, each kind of process of the production shape that
// hack/local-up.sh brings up with LOCAL_UP_HA=1 (a three-member etcd cluster, two
// example-apiserver replicas behind HAProxy, two leader-electing controllers) while CronTabs
// are written and watched through kube-apiserver's aggregator, and measures what clients saw:
// writes lost, how long and how requests failed, watch gaps and duplicates, CronTab runs
// missed or doubled (docs/reliability.md).
package ha

import (
	"fmt"
	"os"
	"testing"

	"example.com/example-apiserver/test/e2e/framework"
)

var stack *framework.Stack

func TestMain(m *testing.M) {
	os.Exit(runSuite(m))
}

func runSuite(m *testing.M) int {
	var err error
	// A state directory of its own: a stack a developer has up in _output/local is never touched.
	stack, err = framework.Up("_output/ha", "LOCAL_UP_HA=1")
	if err != nil {
		fmt.Fprintf(os.Stderr, "bringing up the HA shape of the local control plane: %v\n", err)
		return 1
	}
	return stack.RunTests(m)
}
