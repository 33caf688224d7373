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

package pluginconfig

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	decode := func(data []byte) (string, error) {
		if string(data) == "bad" {
			return "", errors.New("cannot decode")
		}
		return "decoded:" + string(data), nil
	}
	defaults := func() string { return "defaults" }
	tests := []struct {
		name     string
		r        io.Reader
		defaults func() string
		want     string
		wantErr  string
	}{
		{name: "no AdmissionConfiguration entry", defaults: defaults, want: "defaults"},
		{name: "no entry and no defaults", want: ""},
		{name: "the entry wins over the defaults", r: strings.NewReader("x"), defaults: defaults, want: "decoded:x"},
		{name: "a bad entry names the plugin", r: strings.NewReader("bad"), defaults: defaults, wantErr: "Example configuration: cannot decode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load("Example", tc.r, tc.defaults, decode)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("got %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
