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

// Package images_test runs the programs of the test images (pause, testworkload) as the
// container runtime would: built static, signalled, their exit codes and output read.
package images_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"example.com/example-apiserver/test/utils"
)

// build compiles one of the image programs, static as the images ship it, into a temporary directory.
func build(t *testing.T, program string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), program)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./"+program)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./%s: %v\n%s", program, err, b)
	}
	return out
}

// started runs cmd and returns once its first line of output (stream "stdout" or "stderr")
// is there: the program handles signals by then. output returns all of it once cmd has exited.
func started(t *testing.T, cmd *exec.Cmd, stream string) (output func() string) {
	t.Helper()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	if stream == "stderr" {
		cmd.Stderr = pw
	} else {
		cmd.Stdout = pw
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	var all bytes.Buffer
	done := make(chan struct{})
	reader := bufio.NewReader(pr)
	first, err := reader.ReadString('\n')
	go func() { _, _ = all.ReadFrom(reader); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	if err != nil {
		t.Fatalf("%s printed no line: %v", cmd.Path, err)
	}
	return func() string {
		<-done
		return first + all.String()
	}
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exitErr) && exitErr.Exited():
		return exitErr.ExitCode()
	default:
		t.Fatalf("did not exit normally: %v", err)
		return -1
	}
}

func TestPauseExitsZeroOnSignal(t *testing.T) {
	pause := build(t, "pause")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd := exec.Command(pause)
			started(t, cmd, "stderr")
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := exitCode(t, cmd.Wait()); code != 0 {
				t.Fatalf("exit code %d after %v, want 0", code, sig)
			}
		})
	}
}

// As PID 1 of a PID namespace, pause inherits the orphans of that namespace and must reap
// them; an unreaped one stays a zombie child of pause forever.
func TestPauseReapsOrphans(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a new PID namespace needs root")
	}
	if _, err := exec.LookPath("nsenter"); err != nil {
		t.Skip("nsenter (util-linux) is not installed")
	}
	cmd := exec.Command(build(t, "pause"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	started(t, cmd, "stderr")
	pid := cmd.Process.Pid

	// nsenter forks sh into the namespace; sh leaves a sleep behind and exits, so the sleep
	// is reparented to pause, and exits later.
	orphan := exec.Command("nsenter", "--pid=/proc/"+strconv.Itoa(pid)+"/ns/pid", "--", "sh", "-c", "sleep 2 >/dev/null 2>&1 &")
	if b, err := orphan.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", orphan.Args, err, b)
	}
	seen := false
	utils.Eventually(t, 20*time.Second, "pause reaps the orphan", func() (bool, string) {
		children := childrenOf(t, pid)
		seen = seen || len(children) > 0
		return seen && len(children) == 0, fmt.Sprintf("children of pause %v (seen an orphan: %v)", children, seen)
	})
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd.Wait()); code != 0 {
		t.Fatalf("exit code %d, want 0", code)
	}
}

// childrenOf lists "pid state" of the processes whose parent is ppid.
func childrenOf(t *testing.T, ppid int) []string {
	t.Helper()
	stats, err := filepath.Glob("/proc/[0-9]*/stat")
	if err != nil {
		t.Fatal(err)
	}
	var children []string
	for _, path := range stats {
		b, err := os.ReadFile(path)
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces, so split after its last ')'.
		s := string(b)
		fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(fields) > 1 && fields[1] == strconv.Itoa(ppid) {
			children = append(children, strings.Fields(s)[0]+" "+fields[0])
		}
	}
	return children
}

func TestTestWorkload(t *testing.T) {
	workload := build(t, "testworkload")
	tests := []struct {
		name     string
		args     []string
		signal   syscall.Signal
		wantCode int
		wantOut  []string
	}{
		{
			name:    "prints args and env",
			args:    []string{"--sleep=10ms", "hello", "world"},
			wantOut: []string{"testworkload: args [\"--sleep=10ms\" \"hello\" \"world\"]\n", "testworkload: env TESTWORKLOAD_GREETING=hi\n", "testworkload: done, exit code 0\n"},
		},
		{
			name:     "fails with the exit code asked",
			args:     []string{"--exit-code=3"},
			wantCode: 3,
			wantOut:  []string{"testworkload: done, exit code 3\n"},
		},
		{
			name:    "a sleep ends cleanly on SIGTERM",
			args:    []string{"--sleep=1h", "--exit-code=3"},
			signal:  syscall.SIGTERM,
			wantOut: []string{"testworkload: terminated, exiting\n"},
		},
		{
			name:    "until-signal ends cleanly on SIGINT",
			args:    []string{"--until-signal"},
			signal:  syscall.SIGINT,
			wantOut: []string{"testworkload: interrupt, exiting\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(workload, tt.args...)
			cmd.Env = append(os.Environ(), "TESTWORKLOAD_GREETING=hi")
			output := started(t, cmd, "stdout")
			if tt.signal != 0 {
				if err := cmd.Process.Signal(tt.signal); err != nil {
					t.Fatal(err)
				}
			}
			code := exitCode(t, cmd.Wait())
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d", code, tt.wantCode)
			}
			out := output()
			for _, want := range tt.wantOut {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// With --listen the workload is a Service's backend: it answers with its host name (the pod's
// name) until a signal ends it cleanly.
func TestTestWorkloadServes(t *testing.T) {
	testworkload := build(t, "testworkload")
	cmd := exec.Command(testworkload, "--listen=127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := bufio.NewScanner(stdout)
	addr := ""
	for addr == "" && lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "testworkload: listening on "); ok {
			addr = rest
		}
	}
	if addr == "" {
		t.Fatalf("no \"listening on\" line: %v", lines.Err())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	// And a second testworkload as its client, as a pod would be behind the Service's name.
	get := exec.Command(testworkload, "--get=http://"+addr+"/")
	out, err := get.CombinedOutput()
	host, _ := os.Hostname()
	if want := fmt.Sprintf("testworkload: GET http://%s/: 200 OK %q <nil>", addr, "testworkload: "+host+"\n"); err != nil || !strings.Contains(string(out), want) {
		t.Errorf("testworkload --get: %v\n%s\nwant the line %s", err, out, want)
	}
	// Nothing listens on port 1: the client says so and fails.
	if out, err := exec.Command(testworkload, "--get=http://127.0.0.1:1/").CombinedOutput(); exitCode(t, err) != 1 || !strings.Contains(string(out), "connection refused") {
		t.Errorf("testworkload --get of a closed port: %v\n%s\nwant exit code 1 and the error", err, out)
	}

	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "testworkload: "+host+"\n" {
		t.Errorf("GET / answered %q (%v), want %q", body, err, "testworkload: "+host+"\n")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := exitCode(t, cmd.Wait()); code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0", code)
	}
}
