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

package version

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestVersionFlag(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		want    requested
		wantErr bool
	}{
		{args: nil, want: "false"},
		{args: []string{"--version"}, want: "true"},
		{args: []string{"--version=raw"}, want: "raw"},
		{args: []string{"--version=false"}, want: "false"},
		{args: []string{"--version=1"}, want: "true"},
		{args: []string{"--version=json"}, wantErr: true},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			versionFlag = "false"
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			AddFlags(fs)
			err := fs.Parse(tc.args)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Parse(%q) error %v, want error %v", tc.args, err, tc.wantErr)
			}
			if !tc.wantErr && versionFlag != tc.want {
				t.Errorf("--version is %q, want %q", versionFlag, tc.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	got := String("example-apiserver")
	if !strings.HasPrefix(got, "example-apiserver "+gitVersion+" (commit ") || !strings.Contains(got, "go1.") {
		t.Errorf("String() = %q", got)
	}
}
