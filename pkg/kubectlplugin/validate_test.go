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

func TestValidate(t *testing.T) {
	tests := []struct {
		expr, tz string
		want     string
		wantErr  string
	}{
		{expr: "*/5 * * * *", want: "valid: \"*/5 * * * *\" (time zone UTC); next 3:\n  2026-03-01 10:05:00 UTC +00:00 Sun  (in 2m30s)\n"},
		{expr: "@hourly", tz: "Asia/Tokyo", want: "  2026-03-01 20:00:00 JST +09:00 Sun  (in 57m)\n"},
		{expr: "0 9 * * mon-fri", want: "2026-03-02 09:00:00 UTC"},
		{expr: "61 * * * *", wantErr: "invalid: \"61 * * * *\": end of range (61) above maximum (59)"},
		{expr: "* * * *", wantErr: "expected exactly 5 fields"},
		{expr: "CRON_TZ=UTC * * * * *", wantErr: "use spec.timeZone"},
		{expr: "* * * * *", tz: "Local", wantErr: "not a portable time zone"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			args := []string{"validate", tc.expr}
			if tc.tz != "" {
				args = append(args, "--timezone", tc.tz)
			}
			out, _, err := run(t, newFakeFactory(), args...)
			checkErr(t, err, tc.wantErr)
			if !strings.Contains(out, tc.want) {
				t.Errorf("got:\n%s\nwant it to contain:\n%s", out, tc.want)
			}
		})
	}
}
