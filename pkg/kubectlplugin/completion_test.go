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

package kubectlplugin

import (
	"strings"
	"testing"
)

func TestCompletion(t *testing.T) {
	f := newFakeFactory(cronTab("default", "nightly", "@daily", "", nil, nil), cronTab("default", "hourly", "@hourly", "", nil, nil), cronTab("other", "elsewhere", "@daily", "", nil, nil))
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"__complete", "next", ""}, want: "hourly\nnightly\n:4\n"},
		{args: []string{"__complete", "next", "ni"}, want: "nightly\n:4\n"},
		{args: []string{"__complete", "next", "nightly", ""}, want: ":4\n"},
		{args: []string{"__complete", "run", "ho"}, want: "hourly\n:4\n"},
		{args: []string{"__complete", "run", "x", "--dry-run="}, want: "none\nclient\nserver\n:4\n"},
		{args: []string{"__complete", "history", ""}, want: "hourly\nnightly\n:4\n"},
		{args: []string{"__complete", "history", "nightly", ""}, want: ":4\n"},
		{args: []string{"__complete", "ct", "nightly", ""}, want: "hourly\n:4\n"},
		{args: []string{"__complete", "ct", "-o", ""}, want: "custom-columns\ncustom-columns-file\nwide\n:4\n"},
		{args: []string{"__complete", "metrics", "-o", ""}, want: "json\nyaml\njsonpath=\ngo-template=\n:4\n"},
		{args: []string{"__complete", "create", "crontab", "x", "--image", "i", "--schedule", "s", "--dry-run="}, want: "none\nclient\nserver\n:4\n"},
		{args: []string{"__complete", "next", "x", "--timezone", "Asia/"}, want: "Asia/Shanghai\n"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, _, err := run(t, f, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("got %q, want it to contain %q", out, tc.want)
			}
		})
	}
}
