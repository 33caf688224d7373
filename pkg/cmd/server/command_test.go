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

package server

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"
)

// TestCommandParsesItsFlags: the command parses its own command line (cobra does not, so that
// Complete can parse it again onto the --config file), and must still print help in sections
// and refuse what it does not know.
func TestCommandParsesItsFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantOut []string // in this order
		wantErr string
	}{
		{name: "help in sections", args: []string{"--help"}, wantOut: []string{
			"Usage:\n  example-apiserver [flags]",
			"Generic flags:", "--config string", "--standalone",
			"Secure serving flags:", "--alternate-dns", "--secure-port",
			"Etcd flags:", "--embedded-etcd-data-dir", "--etcd-servers",
			"Authentication flags:", "Authorization flags:", "Admission flags:", "--enable-admission-plugins",
			"Features flags:", "Logs flags:", "--logging-format", "Global flags:", "-h, --help", "--version",
		}},
		{name: "short help", args: []string{"-h"}, wantOut: []string{"Generic flags:"}},
		{name: "unknown flag", args: []string{"--etcd-endpoints=http://127.0.0.1:2379"}, wantErr: "unknown flag: --etcd-endpoints"},
		{name: "argument", args: []string{"serve"}, wantErr: `takes no arguments, got ["serve"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			cmd := NewCommand(t.Context(), NewOptions(io.Discard, io.Discard))
			cmd.SetArgs(tc.args)
			cmd.SetOut(&out)
			cmd.SetErr(io.Discard)
			err := cmd.Execute()
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
			parts := make([]string, len(tc.wantOut))
			for i, want := range tc.wantOut {
				parts[i] = regexp.QuoteMeta(want)
			}
			if !regexp.MustCompile("(?s)" + strings.Join(parts, ".*")).MatchString(out.String()) {
				t.Errorf("output lacks, in order, %q:\n%s", tc.wantOut, out.String())
			}
		})
	}
}
