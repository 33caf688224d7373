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

package framework

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
)

// counters are iptables-save's packet counts, which change whatever the rules.
var counters = regexp.MustCompile(`\[\d+:\d+\]`)

// MachineState is what a stack's real node may touch on the machine: links, addresses, routes,
// network namespaces, rules, kernel settings, containerd shims. Take it before Up and hand it
// to NodeLeftovers after Down.
func MachineState() map[string]string {
	state := map[string]string{}
	for what, command := range map[string][]string{
		"links":              {"ip", "-o", "link", "show"},
		"addresses":          {"ip", "-o", "addr", "show"},
		"routes":             {"ip", "route", "show", "table", "all"},
		"network namespaces": {"ip", "netns", "list"},
		"iptables":           {"iptables-save"},
		"ip6tables":          {"ip6tables-save"},
		"kernel settings":    {"sysctl", "vm.overcommit_memory", "kernel.panic", "kernel.panic_on_oops", "net.ipv4.ip_forward"},
		"containerd shims":   {"pgrep", "-a", "containerd-shim"},
	} {
		out, _ := exec.Command(command[0], command[1:]...).Output()
		state[what] = comparable(string(out))
	}
	return state
}

// comparable is a command's output without what changes whatever the node did: iptables-save's
// dates and counters, blank lines, and tables that hold nothing (only built-in chains that
// accept, no rule), which the kernel keeps once a rule has loaded them, so that a machine
// where iptables was never used compares equal to one where make down removed every rule.
func comparable(out string) string {
	var lines, table []string
	tableEmpty := false
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(counters.ReplaceAllString(line, ""))
		switch {
		case line == "", strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			table, tableEmpty = []string{line}, true
		case table != nil && line == "COMMIT":
			if !tableEmpty {
				lines = append(append(lines, table...), line)
			}
			table = nil
		case table != nil:
			// A built-in chain has a policy; a user-defined one has "-".
			tableEmpty = tableEmpty && strings.HasPrefix(line, ":") && strings.HasSuffix(line, " ACCEPT")
			table = append(table, line)
		default:
			lines = append(lines, line)
		}
	}
	return strings.Join(append(lines, table...), "\n")
}

// NodeLeftovers says what of the stopped stack's real node is still on the machine: mounts
// under its directory, containerd shims of its socket, and whatever of before (MachineState
// before Up) changed. Empty: make down left nothing.
func (s *Stack) NodeLeftovers(before map[string]string) []string {
	var left []string
	// Mounts and shims are the stack's by their paths (other processes on the machine have theirs).
	mounts, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		left = append(left, err.Error())
	}
	for _, line := range strings.Split(string(mounts), "\n") {
		if strings.Contains(line, s.Dir) {
			left = append(left, "a mount: "+line)
		}
	}
	if out, err := exec.Command("pgrep", "-af", "containerd-shim.*"+s.Env["CONTAINERD_SOCK"]).Output(); err == nil {
		left = append(left, "containerd shims:\n"+string(out))
	}
	after := MachineState()
	whats := make([]string, 0, len(before))
	for what := range before {
		whats = append(whats, what)
	}
	sort.Strings(whats)
	for _, what := range whats {
		if before[what] != after[what] {
			left = append(left, fmt.Sprintf("%s changed:\nbefore:\n%s\nafter:\n%s", what, before[what], after[what]))
		}
	}
	return left
}
