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

// Package ldaptest starts the project's OpenLDAP directory (hack/lib/ldap.sh: users alice
// and bob, groups cron-admins and readers) for a test, on 127.0.0.1, stopped with the test.
// Connections tells what the directory was asked, from its log.
package ldaptest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"

	"example.com/example-apiserver/pkg/apis/config"
	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
	"example.com/example-apiserver/test/utils"
)

// Directory is a running slapd.
type Directory struct {
	// Dir holds its configuration, data and the <name>.password files.
	Dir string
	// URL is ldap://127.0.0.1:PORT.
	URL string
	// LDAPSURL is ldaps://127.0.0.1:PORT of a directory started with TLS, else "".
	LDAPSURL string

	script, port string
	cmd          *exec.Cmd
	log          syncBuffer
}

// syncBuffer is slapd's output, written by exec's copying goroutine while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Start loads and starts the directory, or skips the test when slapd is not installed.
func Start(t testing.TB) *Directory {
	t.Helper()
	return StartWith(t, Options{})
}

// StartTLS is Start with TLS: serving (a certificate for 127.0.0.1) on LDAPSURL and for
// StartTLS on URL.
func StartTLS(t testing.TB, serving *utils.KeyPair) *Directory {
	t.Helper()
	return StartWith(t, Options{Serving: serving})
}

// Options change the directory a test starts.
type Options struct {
	// Serving, when set, is the certificate of TLS on LDAPSURL and StartTLS on URL.
	Serving *utils.KeyPair
	// DatabaseConfig are slapd.conf lines appended to the database's section, e.g.
	// "sizelimit 1".
	DatabaseConfig string
	// Users are accounts besides alice and bob, in no group, with passwords as theirs.
	Users []string
}

// StartWith is Start with opts.
func StartWith(t testing.TB, opts Options) *Directory {
	t.Helper()
	serving := opts.Serving
	t.Helper()
	if _, err := exec.LookPath("slapd"); err != nil {
		t.Skip("slapd not installed (hack/prereqs.sh test installs Debian's slapd and ldap-utils)")
	}
	root, err := utils.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "hack", "lib", "ldap.sh")
	d := &Directory{Dir: filepath.Join(t.TempDir(), "ldap")}
	prepare, run := []string{"prepare", d.Dir}, []string{"run", d.Dir}
	port := freePort(t)
	d.script, d.port = script, port
	d.URL = "ldap://127.0.0.1:" + d.port
	run = append(run, port)
	if serving != nil {
		tlsDir := t.TempDir()
		certFile, keyFile := filepath.Join(tlsDir, "tls.crt"), filepath.Join(tlsDir, "tls.key")
		for path, data := range map[string][]byte{certFile: serving.CertPEM, keyFile: serving.KeyPEM} {
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		prepare = append(prepare, certFile, keyFile)
		ldapsPort := freePort(t)
		d.LDAPSURL = "ldaps://127.0.0.1:" + ldapsPort
		run = append(run, ldapsPort)
	}
	prepareCmd := exec.Command(script, prepare...)
	prepareCmd.Env = append(os.Environ(), "LDAP_EXTRA_USERS="+strings.Join(opts.Users, " "))
	if out, err := prepareCmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/lib/ldap.sh prepare: %v\n%s", err, out)
	}
	if opts.DatabaseConfig != "" {
		// The database's section is the last of slapd.conf.
		f, err := os.OpenFile(filepath.Join(d.Dir, "slapd.conf"), os.O_APPEND|os.O_WRONLY, 0)
		if err == nil {
			_, err = f.WriteString(opts.DatabaseConfig + "\n")
			err = errors.Join(err, f.Close())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	d.cmd = exec.Command(script, run...)
	d.cmd.Stdout, d.cmd.Stderr = &d.log, &d.log
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Stop)
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := ldap.DialURL(d.URL)
		if err == nil {
			conn.Close()
			// The probe's connection is logged before a test's first one.
			d.WaitConnections(t, 1)
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("slapd did not listen on %s within 10s: %v\n%s", d.URL, err, d.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	port, err := utils.GetFreePort()
	if err != nil {
		t.Fatal(err)
	}
	return strconv.Itoa(port)
}

// Stop stops slapd; the test's cleanup calls it too.
func (d *Directory) Stop() {
	if d.cmd.ProcessState != nil {
		return
	}
	_ = d.cmd.Process.Kill()
	_ = d.cmd.Wait()
}

// Password returns the password of alice, bob, kubernetes (the service account) or one of
// Options.Users.
func (d *Directory) Password(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(d.Dir, name+".password"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// LoginConfigFile is a component configuration file with the login section hack/lib/ldap.sh
// writes for this directory, signing with keysFile.
func (d *Directory) LoginConfigFile(t testing.TB, keysFile string) []byte {
	t.Helper()
	section, err := exec.Command(d.script, "login-config", d.Dir, d.port, keysFile).Output()
	if err != nil {
		t.Fatalf("hack/lib/ldap.sh login-config: %v", err)
	}
	return append([]byte("apiVersion: config.example.com/v1alpha1\nkind: ExampleAPIServerConfiguration\n"), section...)
}

// LoginConfig is LoginConfigFile's login section, decoded and defaulted as the server reads it.
func (d *Directory) LoginConfig(t testing.TB, keysFile string) *config.LoginConfiguration {
	t.Helper()
	data := d.LoginConfigFile(t, keysFile)
	cfg, err := configscheme.DecodeExampleAPIServerConfiguration(data)
	if err != nil {
		t.Fatalf("the login section of hack/lib/ldap.sh: %v\n%s", err, data)
	}
	return cfg.Login
}

// Operation is one request a connection sent, as slapd logged it.
type Operation struct {
	// Kind is slapd's name of the request: BIND, SRCH, EXT (StartTLS), UNBIND, ...
	Kind string
	// DN is a BIND's name or a SRCH's base.
	DN string
	// Result is the LDAP result code of the answer; -1 when there was none (UNBIND).
	Result int
}

// slapd -d stats lines, e.g. `conn=1000 fd=11 ACCEPT from IP=127.0.0.1:56420 ...`,
// `conn=1000 op=1 SRCH base="ou=people,dc=example,dc=com" scope=2 ...`,
// `conn=1000 op=1 SEARCH RESULT tag=101 err=0 ... nentries=1`, `conn=1000 fd=11 closed`.
var (
	logAccept    = regexp.MustCompile(`conn=(\d+) fd=\d+ ACCEPT `)
	logClosed    = regexp.MustCompile(`conn=(\d+) fd=\d+ closed`)
	logResult    = regexp.MustCompile(`conn=(\d+) op=(\d+) (?:SEARCH )?RESULT .*\berr=(\d+)`)
	logOperation = regexp.MustCompile(`conn=(\d+) op=(\d+) (\w+)(?: (?:dn|base)="([^"]*)")?`)
)

// Connections returns the operations of every connection the directory has closed, one
// slice per connection, in the order it accepted them. slapd closes a connection only after
// it answered every request on it, so a closed connection's log is complete.
func (d *Directory) Connections() [][]Operation {
	type opKey struct{ conn, op string }
	var accepted []string
	closed := map[string]bool{}
	ops := map[string][]opKey{}
	byKey := map[opKey]*Operation{}
	for line := range strings.Lines(d.log.String()) {
		if m := logAccept.FindStringSubmatch(line); m != nil {
			accepted = append(accepted, m[1])
		} else if m := logClosed.FindStringSubmatch(line); m != nil {
			closed[m[1]] = true
		} else if m := logResult.FindStringSubmatch(line); m != nil {
			if op := byKey[opKey{m[1], m[2]}]; op != nil {
				op.Result, _ = strconv.Atoi(m[3])
			}
		} else if m := logOperation.FindStringSubmatch(line); m != nil {
			key := opKey{m[1], m[2]}
			op := byKey[key]
			if op == nil {
				op = &Operation{Kind: m[3], Result: -1}
				byKey[key] = op
				ops[m[1]] = append(ops[m[1]], key)
			}
			// A request may take several lines: a BIND's first may be `BIND anonymous
			// mech=implicit` (the previous identity dropped), a SRCH's second `SRCH attr=...`.
			if op.DN == "" {
				op.DN = m[4]
			}
		}
	}
	var conns [][]Operation
	for _, conn := range accepted {
		if !closed[conn] {
			continue
		}
		list := []Operation{}
		for _, key := range ops[conn] {
			list = append(list, *byKey[key])
		}
		conns = append(conns, list)
	}
	return conns
}

// WaitConnections waits until the directory has closed n connections (Connections) and
// returns them, or fails the test after 10s.
func (d *Directory) WaitConnections(t testing.TB, n int) [][]Operation {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		conns := d.Connections()
		if len(conns) >= n {
			return conns
		}
		if time.Now().After(deadline) {
			t.Fatalf("the directory closed %d connections within 10s, want %d; its log:\n%s", len(conns), n, d.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
