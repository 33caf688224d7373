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
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"example.com/example-apiserver/test/utils"
)

// Process is a component process a test started beside, or in place of, the stack's own:
// a replica of example-controller-manager, say. It belongs to the stack: Down stops it. Its
// Name is its log's, e.g. example-controller-manager-2: the log is logs/<Name>.log, which
// DumpLogs prints with the others.
type Process struct {
	*utils.Process
	// Port is its --secure-port.
	Port      int
	component string
}

// envPrefix is the prefix of a component's keys in the env file: kube-apiserver -> KUBE_APISERVER.
func envPrefix(component string) string {
	return strings.ToUpper(strings.ReplaceAll(component, "-", "_"))
}

// StopComponent stops every process of component (e.g. example-controller-manager): the
// stack's own and those StartComponent or RestartComponent started, with SIGTERM as
// hack/local-up.sh down does, and waits until they have exited. The stack's command line for
// it is remembered first, so StartComponent and RestartComponent can start it again.
func (s *Stack) StopComponent(component string) error {
	return s.endComponent(component, syscall.SIGTERM)
}

// KillComponent is StopComponent with SIGKILL: the component crashes, as on an OOM kill or a
// lost node, with no chance to release anything.
func (s *Stack) KillComponent(component string) error {
	return s.endComponent(component, syscall.SIGKILL)
}

func (s *Stack) endComponent(component string, signal syscall.Signal) error {
	if _, err := s.commandLine(component); err != nil {
		return err
	}
	s.mu.Lock()
	started := slices.Clone(s.started)
	s.mu.Unlock()
	for _, p := range started {
		if p.component != component {
			continue
		}
		if signal == syscall.SIGKILL {
			p.Kill()
		} else {
			p.Stop()
		}
	}
	pid, err := strconv.Atoi(s.Env[envPrefix(component)+"_PID"])
	if err != nil {
		return fmt.Errorf("no PID of %s in the env file: %w", component, err)
	}
	if !s.runs(component, strconv.Itoa(pid)) {
		return nil // ended by an earlier call; the PID may be another process's by now
	}
	if err := syscall.Kill(pid, signal); err != nil {
		return fmt.Errorf("ending %s (pid %d) with %s: %w", component, pid, signal, err)
	}
	deadline := time.Now().Add(utils.StopTimeout)
	for !processGone(strconv.Itoa(pid)) {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			deadline = time.Now().Add(10 * time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// processGone says whether pid has exited. The stack's processes are not this process's
// children, so an exited one may linger as a zombie until whoever inherited it reaps it.
func processGone(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return true
	}
	_, state, _ := strings.Cut(string(stat), ") ")
	return strings.HasPrefix(state, "Z")
}

// commandLine returns the command line hack/local-up.sh started component with, read from
// /proc while it runs and remembered after.
func (s *Stack) commandLine(component string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if argv, ok := s.commandLines[component]; ok {
		return argv, nil
	}
	pid := s.Env[envPrefix(component)+"_PID"]
	if !s.runs(component, pid) {
		return nil, fmt.Errorf("%s (pid %s) is not running %s", component, pid, s.Env[envPrefix(component)+"_BIN"])
	}
	raw, err := os.ReadFile("/proc/" + pid + "/cmdline")
	if err != nil {
		return nil, fmt.Errorf("reading the command line of %s: %w", component, err)
	}
	argv := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	if s.commandLines == nil {
		s.commandLines = map[string][]string{}
	}
	s.commandLines[component] = argv
	return argv, nil
}

// runs says whether pid is a process of component's binary: the check guards against a
// reused PID, as local-up.sh's is_ours does.
func (s *Stack) runs(component, pid string) bool {
	exe, err := os.Readlink("/proc/" + pid + "/exe")
	return err == nil && exe == s.Env[envPrefix(component)+"_BIN"] && !processGone(pid)
}

// ComponentTargets are the 127.0.0.1 addresses of component's secure ports that serve now: its
// process from hack/local-up.sh while it runs, and every one StartComponent or
// RestartComponent started that has not exited (a replica on a port of its own replaces the
// stack's after a failover test).
func (s *Stack) ComponentTargets(component string) []string {
	var ports []string
	if s.runs(component, s.Env[envPrefix(component)+"_PID"]) {
		ports = append(ports, s.Env[envPrefix(component)+"_PORT"])
	}
	s.mu.Lock()
	for _, p := range s.started {
		if p.component == component && !p.Exited() && p.Port != 0 {
			ports = append(ports, strconv.Itoa(p.Port))
		}
	}
	s.mu.Unlock()
	slices.Sort(ports)
	ports = slices.Compact(ports)
	targets := make([]string, len(ports))
	for i, port := range ports {
		targets[i] = "127.0.0.1:" + port
	}
	return targets
}

// StartComponent starts another process of component with the flags hack/local-up.sh gave
// the stack's own, but its own --secure-port on 127.0.0.1, and waits until its /healthz
// answers ok.
func (s *Stack) StartComponent(component string) (*Process, error) {
	argv, err := s.commandLine(component)
	if err != nil {
		return nil, err
	}
	port, err := utils.GetFreePort()
	if err != nil {
		return nil, err
	}
	args := make([]string, 0, len(argv)-1)
	for _, arg := range argv[1:] {
		if strings.HasPrefix(arg, "--secure-port=") {
			arg = "--secure-port=" + strconv.Itoa(port)
		}
		args = append(args, arg)
	}

	s.mu.Lock()
	name := fmt.Sprintf("%s-%d", component, len(s.started)+2)
	s.mu.Unlock()
	p, err := s.start(component, name, port, argv[0], args)
	if err != nil {
		return nil, err
	}
	if err := waitHealthy(p); err != nil {
		p.Kill()
		return nil, fmt.Errorf("%s: %w\n%s", name, err, utils.Tail(s.LogPath(name), 40))
	}
	return p, nil
}

// RestartComponent starts component again, after StopComponent or KillComponent, with the very
// command line hack/local-up.sh gave it: the same ports and data, as a restarted pod or a
// rebooted member has. Its output goes on in the component's log. It does not wait for the
// process to be healthy: what that means differs (an etcd member answers only clients with a
// certificate of its CA), so the caller checks it.
func (s *Stack) RestartComponent(component string) (*Process, error) {
	argv, err := s.commandLine(component)
	if err != nil {
		return nil, err
	}
	port := 0
	for _, arg := range argv[1:] {
		if value, ok := strings.CutPrefix(arg, "--secure-port="); ok {
			port, _ = strconv.Atoi(value)
		}
	}
	return s.start(component, component, port, argv[0], argv[1:])
}

// start starts a process of component logging to logs/<name>.log (appended to) and records
// it in the env file as the component's process, so that hack/local-up.sh down stops it even
// if this test binary dies first.
func (s *Stack) start(component, name string, port int, bin string, args []string) (*Process, error) {
	// Its own process group: a Ctrl-C in the terminal reaches the test, which stops it in order.
	started, err := utils.Start(name, s.LogPath(name), &syscall.SysProcAttr{Setpgid: true}, bin, args...)
	if err != nil {
		return nil, err
	}
	p := &Process{Process: started, Port: port, component: component}
	s.mu.Lock()
	s.started = append(s.started, p)
	s.mu.Unlock()
	if err := s.recordPID(component, p.PID()); err != nil {
		p.Kill()
		return nil, err
	}
	return p, nil
}

// recordPID appends the component's PID to the env file; hack/local-up.sh reads the last one.
func (s *Stack) recordPID(component string, pid int) error {
	f, err := os.OpenFile(filepath.Join(s.Dir, "env"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s_PID=%d\n", envPrefix(component), pid)
	return errors.Join(err, f.Close())
}

// waitHealthy polls the process's /healthz until it answers ok. The components serve
// self-signed certificates, so the check does not verify them, as local-up.sh's does not.
func waitHealthy(p *Process) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // a self-signed local certificate
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	url := fmt.Sprintf("https://127.0.0.1:%d/healthz", p.Port)
	last := ""
	for {
		if p.Exited() {
			return errors.New("exited before it was healthy")
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := client.Do(req)
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && string(body) == "ok" {
				return nil
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, body)
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ok after 2m; last: %s", url, last)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// stopStarted stops the processes StartComponent started that still run.
func (s *Stack) stopStarted() {
	s.mu.Lock()
	started := s.started
	s.mu.Unlock()
	for _, p := range started {
		p.Stop()
	}
}
