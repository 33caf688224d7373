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

// Package node_test brings up the local stack with its real node (LOCAL_UP_NODE=real) and checks
// that pods run as real containers on the stack's own network, and that down leaves the
// machine as it found it.
package node_test

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"example.com/example-apiserver/test/e2e/framework"
)

const testworkload = "example.com/testworkload:v0.1.0-local"

func TestRealNode(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("the real node needs root (containerd, runc, a bridge, iptables)")
	}
	before := framework.MachineState()
	stack, err := framework.Up(filepath.Join("_output", "node-e2e"), "LOCAL_UP_NODE=real", "LOCAL_UP_LDAP=0")
	if err != nil {
		t.Fatal(err)
	}
	down := func() {
		if err := stack.Down(); err != nil {
			t.Error(err)
		}
	}
	defer func() {
		if down != nil {
			down()
		}
	}()
	node := stack.Env["NODE_NAME"]
	_, podCIDR, err := net.ParseCIDR(stack.Env["NODE_POD_CIDR"])
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a pod runs and logs", func(t *testing.T) {
		stack.MustKubectl(t, "run", "hello", "--image="+testworkload, "--image-pull-policy=Never", "--restart=Never", "--", "hello")
		stack.Eventually(t, 2*time.Minute, "pod hello Succeeded", func() (bool, string) {
			out, _ := stack.Kubectl("get", "pod", "hello", "-o", "jsonpath={.status.phase} {.spec.nodeName} {.status.podIP}")
			return strings.HasPrefix(out, "Succeeded "), out
		})
		fields := strings.Fields(stack.MustKubectl(t, "get", "pod", "hello", "-o", "jsonpath={.spec.nodeName} {.status.podIP}"))
		if len(fields) != 2 || fields[0] != node || !podCIDR.Contains(net.ParseIP(fields[1])) {
			t.Errorf("pod hello ran on %q, want on %s with an address in %s", fields, node, podCIDR)
		}
		if out := stack.MustKubectl(t, "logs", "hello"); !strings.Contains(out, `testworkload: args ["hello"]`) || !strings.Contains(out, "uid 65532") {
			t.Errorf("kubectl logs hello:\n%s", out)
		}
	})

	t.Run("a ClusterIP Service reaches its pods, by name from a pod, and pods have no way off the machine", func(t *testing.T) {
		stack.MustKubectl(t, "create", "deployment", "web", "--image="+testworkload, "--replicas=2", "--", "/usr/local/bin/testworkload", "--listen=:8080")
		stack.MustKubectl(t, "patch", "deployment", "web", "--type=json", "-p", `[{"op":"add","path":"/spec/template/spec/containers/0/imagePullPolicy","value":"Never"}]`)
		stack.MustKubectl(t, "expose", "deployment", "web", "--port=80", "--target-port=8080")
		stack.MustKubectl(t, "rollout", "status", "deployment/web", "--timeout=2m")
		ip := stack.MustKubectl(t, "get", "service", "web", "-o", "jsonpath={.spec.clusterIP}")
		seen := map[string]bool{}
		stack.Eventually(t, time.Minute, "both pods of web answer on its ClusterIP "+ip, func() (bool, string) {
			out, err := exec.Command("curl", "-sS", "-m", "2", "http://"+ip+"/").CombinedOutput()
			if err == nil {
				seen[strings.TrimSpace(string(out))] = true
			}
			return len(seen) == 2, fmt.Sprintf("%v; last: %v %s", seen, err, out)
		})

		// A pod reaches it by name: CoreDNS, a pod itself, answers for the Service.
		stack.MustKubectl(t, "run", "client", "--image="+testworkload, "--image-pull-policy=Never", "--restart=Never", "--", "--get=http://web.default.svc.cluster.local/")
		stack.Eventually(t, 2*time.Minute, "pod client done", func() (bool, string) {
			out, _ := stack.Kubectl("get", "pod", "client", "-o", "jsonpath={.status.phase}")
			return out == "Succeeded" || out == "Failed", out
		})
		if out := stack.MustKubectl(t, "logs", "client"); !strings.Contains(out, "200 OK") || !strings.Contains(out, "testworkload: web-") {
			stack.Fatalf(t, "pod client's GET of http://web.default.svc.cluster.local/:\n%s", out)
		}

		// The routes of a pod's network namespace: its subnet and the Services, no default.
		pods := stack.MustKubectl(t, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[0].metadata.name}")
		routes := podRoutes(t, stack, pods)
		if strings.Contains(routes, "default") || !strings.Contains(routes, "10.0.0.0/24") {
			t.Errorf("routes of pod %s:\n%s\nwant the Service range and no default route", pods, routes)
		}
	})

	down = nil
	if err := stack.Down(); err != nil {
		t.Fatal(err)
	}
	for _, left := range stack.NodeLeftovers(before) {
		t.Errorf("make down left %s", left)
	}
	if !t.Failed() {
		_ = stack.Remove()
	}
}

// podRoutes reads `ip route` in the network namespace of pod's sandbox, found through the CRI.
func podRoutes(t *testing.T, stack *framework.Stack, pod string) string {
	t.Helper()
	crictl := []string{"--runtime-endpoint", "unix://" + stack.Env["CONTAINERD_SOCK"]}
	id, err := exec.Command(filepath.Join(stack.Root, "_output", "bin", "crictl"), append(crictl, "pods", "-q", "--name", pod)...).Output()
	if err != nil {
		t.Fatalf("crictl pods: %v", err)
	}
	out, err := exec.Command(filepath.Join(stack.Root, "_output", "bin", "crictl"), append(crictl, "inspectp", strings.TrimSpace(string(id)))...).Output()
	if err != nil {
		t.Fatalf("crictl inspectp: %v", err)
	}
	var sandbox struct {
		Info struct {
			RuntimeSpec struct {
				Linux struct {
					Namespaces []struct{ Type, Path string }
				}
			}
		}
	}
	if err := json.Unmarshal(out, &sandbox); err != nil {
		t.Fatal(err)
	}
	for _, ns := range sandbox.Info.RuntimeSpec.Linux.Namespaces {
		if ns.Type == "network" {
			routes, err := exec.Command("nsenter", "--net="+ns.Path, "ip", "route").CombinedOutput()
			if err != nil {
				t.Fatalf("nsenter --net=%s ip route: %v\n%s", ns.Path, err, routes)
			}
			return string(routes)
		}
	}
	t.Fatalf("sandbox of %s has no network namespace:\n%s", pod, out)
	return ""
}
