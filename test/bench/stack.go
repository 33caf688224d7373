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

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"example.com/example-apiserver/test/localstack"
)

// serverProcesses are the stack's processes whose cost the benchmark reports, by their
// name in hack/local-up.sh's env file (<NAME>_PID).
var serverProcesses = []string{"etcd", "kube-apiserver", "example-apiserver"}

// stack is a local control plane from hack/local-up.sh: reused when one is running in the
// directory, else brought up (and taken down at the end) by the benchmark.
type stack struct {
	root, dir string
	env       map[string]string
	ours      bool
}

// openStack reuses the stack in dir if all its processes run, or starts one there with env
// (KEY=value) added to hack/local-up.sh's environment.
func openStack(root, dir string, env ...string) (*stack, error) {
	s := &stack{root: root, dir: dir}
	if env, err := localstack.ReadEnv(filepath.Join(dir, "env")); err == nil {
		s.env = env
		if s.running() == nil {
			logf("reusing the local stack in %s", dir)
			return s, nil
		}
	}
	// hack/local-up.sh gives example-apiserver an audit log of every request (Metadata
	// level) and kube-apiserver none; audit kube-apiserver the same way, or the CRD would be
	// measured without a cost every production kube-apiserver pays.
	auditFlags := fmt.Sprintf("--audit-policy-file=%s --audit-log-path=%s",
		filepath.Join(root, "artifacts", "local", "audit-policy.yaml"), filepath.Join(dir, "logs", "kube-apiserver-audit.log"))
	return startStack(root, dir, append(env, withExtraFlags("KUBE_APISERVER_EXTRA_FLAGS", auditFlags))...)
}

// withoutController leaves example-controller-manager out of a stack that compares the
// servers: it writes every new CronTab's status, which the CRD's objects never get, so
// example-apiserver would serve an extra write per create, the workload's updates, sent from
// the object create returned, would conflict with it, and example-apiserver's memory would
// hold a second watch-cache event per object and an authorization decision per object the
// controller wrote.
const withoutController = "LOCAL_UP_SKIP_CONTROLLER=1"

// withExtraFlags is NAME=value for hack/local-up.sh: the flags in the caller's NAME, then flags.
func withExtraFlags(name, flags string) string {
	return name + "=" + strings.TrimSpace(os.Getenv(name)+" "+flags)
}

// startStack brings up a stack in dir, with env (KEY=value) added to hack/local-up.sh's
// environment; down takes it down.
func startStack(root, dir string, env ...string) (*stack, error) {
	s := &stack{root: root, dir: dir}
	logf("bringing up a local stack in %s (hack/local-up.sh up, ~30s)", dir)
	if out, err := s.localUp("up", env...); err != nil {
		return nil, fmt.Errorf("hack/local-up.sh up: %w\n%s", err, out)
	}
	s.ours = true
	written, err := localstack.ReadEnv(filepath.Join(dir, "env"))
	if err != nil {
		return nil, errors.Join(err, s.down())
	}
	s.env = written
	return s, s.running()
}

// running checks that every server process recorded in the env file is alive.
func (s *stack) running() error {
	for _, name := range serverProcesses {
		pid, err := s.pid(name)
		if err != nil {
			return err
		}
		if err := syscall.Kill(pid, 0); err != nil {
			return fmt.Errorf("%s (pid %d): %w", name, pid, err)
		}
	}
	return nil
}

// controllerRuns says example-controller-manager runs on the stack.
func (s *stack) controllerRuns() bool {
	pid, err := s.pid("example-controller-manager")
	return err == nil && syscall.Kill(pid, 0) == nil
}

func (s *stack) pid(name string) (int, error) {
	key := strings.ReplaceAll(strings.ToUpper(name), "-", "_") + "_PID"
	pid, err := strconv.Atoi(s.env[key])
	if err != nil {
		return 0, fmt.Errorf("%s not in %s/env: %w", key, s.dir, err)
	}
	return pid, nil
}

// down stops the stack if the benchmark started it.
func (s *stack) down() error {
	if !s.ours {
		return nil
	}
	if out, err := s.localUp("down"); err != nil {
		return fmt.Errorf("hack/local-up.sh down: %w\n%s", err, out)
	}
	return nil
}

func (s *stack) localUp(command string, env ...string) (string, error) {
	return localstack.Run(s.root, s.dir, command, env...)
}

func (s *stack) path(elem ...string) string {
	return filepath.Join(append([]string{s.dir}, elem...)...)
}

// procStat is what /proc says about a process.
type procStat struct {
	CPUSeconds float64 `json:"cpu_seconds"`
	RSSBytes   int64   `json:"rss_bytes"`
	PeakBytes  int64   `json:"peak_rss_bytes"`
	// AnonBytes is the anonymous part of RSS (heap, stacks, runtime); the rest is the
	// binary's pages, mapped from the file and shared with the page cache.
	AnonBytes int64 `json:"anon_rss_bytes"`
}

// clockTicks is USER_HZ, 100 on every Linux architecture Go supports.
const clockTicks = 100

func readProcStat(pid int) (procStat, error) {
	var st procStat
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return st, err
	}
	// The command name may contain spaces; the fields after it are fixed.
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	if len(fields) < 13 {
		return st, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(fields))
	}
	utime, _ := strconv.ParseFloat(fields[11], 64) // field 14 of stat(5)
	stime, _ := strconv.ParseFloat(fields[12], 64) // field 15
	st.CPUSeconds = (utime + stime) / clockTicks
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return st, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		switch key {
		case "VmRSS":
			st.RSSBytes = kb << 10
		case "VmHWM":
			st.PeakBytes = kb << 10
		case "RssAnon":
			st.AnonBytes = kb << 10
		}
	}
	return st, nil
}

// benchClient names the benchmark's own process in snapshots: on a 2-core machine the
// clients' CPU is taken from the servers, so it is reported too.
const benchClient = "bench-client"

// snapshot reads every server process and the benchmark's own.
func (s *stack) snapshot() map[string]procStat {
	out := map[string]procStat{}
	if st, err := readProcStat(os.Getpid()); err == nil {
		out[benchClient] = st
	}
	for _, name := range serverProcesses {
		pid, err := s.pid(name)
		if err != nil {
			continue
		}
		if st, err := readProcStat(pid); err == nil {
			out[name] = st
		}
	}
	return out
}

// machineBusySeconds is the CPU time all CPUs spent not idle since boot (/proc/stat).
func machineBusySeconds() float64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line) // cpu user nice system idle iowait irq softirq steal ...
	var busy float64
	for i, f := range fields[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy / clockTicks
}

// stackCPUSeconds is the CPU time of every process of the stack and of the benchmark.
func (s *stack) stackCPUSeconds() float64 {
	var total float64
	for _, st := range s.snapshot() {
		total += st.CPUSeconds
	}
	if pid, err := s.pid("kube-controller-manager"); err == nil {
		if st, err := readProcStat(pid); err == nil {
			total += st.CPUSeconds
		}
	}
	return total
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute figures.
func loadAverage() [3]float64 {
	var l [3]float64
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return l
	}
	f := strings.Fields(string(data))
	for i := 0; i < 3 && i < len(f); i++ {
		l[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return l
}
