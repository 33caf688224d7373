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

package utils

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// StopTimeout is how long a process gets to exit after SIGTERM before SIGKILL, as
// hack/local-up.sh down gives the stack's components.
const StopTimeout = 30 * time.Second

// Process is a program a test started: a server of its own, or a component beside the local
// stack's. Its output goes to LogPath.
type Process struct {
	// Name names it in messages, e.g. example-controller-manager-2.
	Name string
	// LogPath is the file its stdout and stderr are appended to.
	LogPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited; then waitErr is set
	waitErr error
}

// Start starts bin with args, its output appended to logPath after a line with the command,
// with attr (a process group of its own, a signal on the parent's death, ...).
func Start(name, logPath string, attr *syscall.SysProcAttr, bin string, args ...string) (*Process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logFile, "# %s %s\n", bin, strings.Join(args, " "))
	p := &Process{Name: name, LogPath: logPath, cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = attr
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		logFile.Close()
		close(p.done)
	}()
	return p, nil
}

// StartProcess starts bin for the test alone: its log in the test's temporary directory, killed
// when the test ends (and by the kernel should the test binary die: nothing outlives a run),
// the tail of its log printed when the test failed.
func StartProcess(t testing.TB, name, bin string, args ...string) *Process {
	t.Helper()
	p, err := Start(name, filepath.Join(t.TempDir(), name+".log"), &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Kill()
		if t.Failed() {
			t.Logf("==> %s log (last lines) <==\n%s", name, p.Tail(60))
		}
	})
	return p
}

// PID is the process id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Signal sends sig to the process, e.g. SIGTERM for an orderly shutdown the test then watches.
func (p *Process) Signal(sig os.Signal) error { return p.cmd.Process.Signal(sig) }

// Exited says whether the process has ended.
func (p *Process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Process) Kill() {
	if !p.Exited() {
		_ = p.cmd.Process.Kill()
	}
	<-p.done
}

// Stop ends the process with SIGTERM, as an orderly shutdown would (SIGKILL after
// StopTimeout), and waits for it.
func (p *Process) Stop() {
	_ = p.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
		p.Kill()
	}
}

// WaitExit waits up to timeout for the process to exit by itself and returns how it ended;
// WaitExit(0) says how a process that has exited ended.
func (p *Process) WaitExit(timeout time.Duration) error {
	if p.Exited() {
		return p.waitErr
	}
	select {
	case <-p.done:
		return p.waitErr
	case <-time.After(timeout):
		return fmt.Errorf("%s still running after %s", p.Name, timeout)
	}
}

// Log returns everything the process has written so far, or why it could not be read.
func (p *Process) Log() string {
	data, err := os.ReadFile(p.LogPath)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// Tail returns the last n lines of the process's log.
func (p *Process) Tail(n int) string { return Tail(p.LogPath, n) }

// AssertNoPanic fails the test if the log shows a recovered or fatal panic.
func (p *Process) AssertNoPanic(t testing.TB) {
	t.Helper()
	for _, line := range strings.Split(p.Log(), "\n") {
		if strings.Contains(line, "Observed a panic") || strings.HasPrefix(line, "panic:") || strings.Contains(line, "fatal error:") {
			t.Errorf("%s panicked: %s", p.Name, line)
		}
	}
}
