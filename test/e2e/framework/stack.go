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

// Package framework brings up the local control plane (hack/local-up.sh) for the e2e suite, or
// targets an existing cluster, and drives it with the built kubectl, printing commands' output
// and component logs when a check fails.
package framework

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"example.com/example-apiserver/test/utils"
)

// Stack is the cluster the suite drives: a local control plane it brought up, or an existing
// cluster where example-apiserver and example-controller-manager are deployed.
type Stack struct {
	// Root is the repository root.
	Root string
	// Dir holds the stack's state: env, logs, pki, kubeconfig. Empty on an existing cluster.
	Dir string
	// Env is the parsed env file written by hack/local-up.sh (ports, PIDs, paths). Empty on
	// an existing cluster.
	Env map[string]string
	// Kubeconfig is the admin kubeconfig.
	Kubeconfig string

	extraEnv []string

	mu sync.Mutex
	// commandLines are the components' command lines, remembered for StartComponent.
	commandLines map[string][]string
	// started are the processes StartComponent started; Down stops them.
	started []*Process
}

// Up starts a stack in a directory of its own under parent (relative to the repository root),
// named after this process, so concurrent runs never share or stop each other's stacks. Stacks
// left behind by runs that were killed are stopped and removed first. extraEnv (KEY=value)
// reaches hack/local-up.sh, e.g. EXAMPLE_APISERVER_EXTRA_FLAGS.
func Up(parent string, extraEnv ...string) (*Stack, error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return nil, err
	}
	parent = filepath.Join(root, parent)
	reapStaleStacks(root, parent)
	s := &Stack{Root: root, Dir: filepath.Join(parent, fmt.Sprintf("run-%d", os.Getpid())), extraEnv: extraEnv}
	if out, err := s.localUp("up"); err != nil {
		return nil, fmt.Errorf("hack/local-up.sh up: %w\n%s", err, out)
	}
	if s.Env, err = utils.ReadEnv(filepath.Join(s.Dir, "env")); err != nil {
		return nil, errors.Join(err, s.Down())
	}
	s.Kubeconfig = filepath.Join(s.Dir, "kubeconfig")
	return s, nil
}

// Attach returns the local stack that `make up` (hack/local-up.sh up) runs with its state in
// dir (relative to the repository root, e.g. _output/local); Down would stop it.
func Attach(dir string) (*Stack, error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return nil, err
	}
	s := &Stack{Root: root, Dir: filepath.Join(root, dir)}
	if s.Env, err = utils.ReadEnv(filepath.Join(s.Dir, "env")); err != nil {
		return nil, fmt.Errorf("no stack in %s (make up starts one): %w", dir, err)
	}
	s.Kubeconfig = filepath.Join(s.Dir, "kubeconfig")
	return s, nil
}

// Existing targets a cluster the suite did not bring up, as the user of kubeconfig (a path
// relative to the repository root, or absolute) sees it, with cluster-admin rights. Nothing of it is started or stopped; tests that need the local
// stack's processes, files or fake Node skip (RequireLocal).
func Existing(kubeconfig string) (*Stack, error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return nil, err
	}
	// Relative to the repository root, where make runs: go test runs the suite in its
	// package's directory.
	if !filepath.IsAbs(kubeconfig) {
		kubeconfig = filepath.Join(root, kubeconfig)
	}
	if _, err := os.Stat(kubeconfig); err != nil {
		return nil, fmt.Errorf("the existing cluster's kubeconfig: %w", err)
	}
	return &Stack{Root: root, Kubeconfig: kubeconfig}, nil
}

// Local says whether the suite brought the stack up itself with hack/local-up.sh.
func (s *Stack) Local() bool { return s.Dir != "" }

// RequireLocal skips the test on an existing cluster; needs says what of the local stack it
// uses, e.g. "stops example-controller-manager".
func (s *Stack) RequireLocal(t testing.TB, needs string) {
	t.Helper()
	if !s.Local() {
		t.Skipf("needs the local stack (it %s); E2E_KUBECONFIG targets an existing cluster", needs)
	}
}

// reapStaleStacks stops and removes the stacks of runs whose process no longer exists.
func reapStaleStacks(root, parent string) {
	dirs, _ := filepath.Glob(filepath.Join(parent, "run-*"))
	for _, dir := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(dir), "run-"))
		if err != nil || pid == os.Getpid() || !errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
			continue // not ours to reap: its run is alive
		}
		stale := &Stack{Root: root, Dir: dir}
		if _, err := stale.localUp("down"); err == nil {
			_ = os.RemoveAll(dir)
		}
	}
}

// Down stops every process of the stack; its logs stay in Dir for a failed run to explain.
// An existing cluster is left as it is.
func (s *Stack) Down() error {
	if !s.Local() {
		return nil
	}
	s.stopStarted()
	if out, err := s.localUp("down"); err != nil {
		return fmt.Errorf("hack/local-up.sh down: %w\n%s", err, out)
	}
	return nil
}

// RunTests runs a package's tests on the stack, then stops it; its directory is removed when
// they passed, kept with the component logs when not. It returns the exit code for TestMain.
func (s *Stack) RunTests(m *testing.M) int {
	code := m.Run()
	if err := s.Down(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		code = 1
	}
	if code == 0 {
		_ = s.Remove()
	} else if s.Local() {
		fmt.Fprintf(os.Stderr, "component logs kept in %s/logs\n", s.Dir)
	}
	return code
}

// Remove deletes the stack's directory; call it after Down when the run passed.
func (s *Stack) Remove() error {
	if !s.Local() {
		return nil
	}
	return os.RemoveAll(s.Dir)
}

func (s *Stack) localUp(command string) (string, error) {
	return utils.Run(s.Root, s.Dir, command, s.extraEnv...)
}

// RESTConfig returns a client config for the admin user.
func (s *Stack) RESTConfig() (*rest.Config, error) {
	return clientcmd.BuildConfigFromFlags("", s.Kubeconfig)
}

// Kubectl runs the built kubectl as admin with a deadline and returns its combined output.
func (s *Stack) Kubectl(args ...string) (string, error) {
	return s.KubectlWithInput(nil, args...)
}

// KubectlWithInput is Kubectl with stdin.
func (s *Stack) KubectlWithInput(stdin []byte, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(s.Root, "_output", "bin", "kubectl"), append([]string{"--kubeconfig", s.Kubeconfig}, args...)...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// MustKubectl runs kubectl and fails the test, with its output and the logs, if it fails.
func (s *Stack) MustKubectl(t testing.TB, args ...string) string {
	t.Helper()
	return s.MustKubectlWithInput(t, nil, args...)
}

// MustKubectlWithInput is MustKubectl with stdin.
func (s *Stack) MustKubectlWithInput(t testing.TB, stdin []byte, args ...string) string {
	t.Helper()
	out, err := s.KubectlWithInput(stdin, args...)
	if err != nil {
		s.Fatalf(t, "kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// Fatalf fails the test after printing the tail of every component log, so a red run
// explains itself.
func (s *Stack) Fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	s.DumpLogs(t)
	t.Fatalf(format, args...)
}

// Eventually polls condition every 250ms until it reports done or timeout passes; then it
// fails with the condition's last message and the component logs. Never a fixed sleep.
func (s *Stack) Eventually(t testing.TB, timeout time.Duration, what string, condition func() (done bool, status string)) {
	t.Helper()
	if err := utils.Poll(250*time.Millisecond, timeout, what, condition); err != nil {
		s.Fatalf(t, "%v", err)
	}
}

// DumpLogs logs the last lines of every component log. An existing cluster's components log
// where it runs them, which the suite cannot know; it says so instead.
func (s *Stack) DumpLogs(t testing.TB) {
	t.Helper()
	if !s.Local() {
		t.Logf("no component logs: the components run in the existing cluster of %s; read their logs there", s.Kubeconfig)
		return
	}
	logs, _ := filepath.Glob(filepath.Join(s.Dir, "logs", "*.log"))
	sort.Strings(logs)
	for _, path := range logs {
		if filepath.Base(path) == "pki.log" {
			continue // openssl's progress dots explain nothing
		}
		t.Logf("==> %s (last lines) <==\n%s", path, utils.Tail(path, 40))
	}
}

// LogPath returns the path of a component's log, e.g. "example-apiserver-audit".
func (s *Stack) LogPath(name string) string {
	return filepath.Join(s.Dir, "logs", name+".log")
}

// Background is a long-running kubectl (e.g. a watch) whose output is collected as it comes.
type Background struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	mu     sync.Mutex
	output bytes.Buffer
	done   chan struct{}
}

// StartKubectl starts kubectl in the background; Stop ends it.
func (s *Stack) StartKubectl(args ...string) (*Background, error) {
	ctx, cancel := context.WithCancel(context.Background())
	b := &Background{cancel: cancel, done: make(chan struct{})}
	b.cmd = exec.CommandContext(ctx, filepath.Join(s.Root, "_output", "bin", "kubectl"), append([]string{"--kubeconfig", s.Kubeconfig}, args...)...)
	b.cmd.Stdout = b
	b.cmd.Stderr = b
	if err := b.cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() {
		_ = b.cmd.Wait()
		close(b.done)
	}()
	return b, nil
}

// Write collects output; it makes Background an io.Writer for the command.
func (b *Background) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.output.Write(p)
}

// Output returns what the command printed so far.
func (b *Background) Output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.output.String()
}

// Stop kills the command and waits for it.
func (b *Background) Stop() {
	b.cancel()
	<-b.done
}
