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

package validation

import (
	"strings"
	"testing"

	"example.com/example-apiserver/pkg/apis/login"
)

func TestValidateLoginRequest(t *testing.T) {
	long := strings.Repeat("s3cret", 200)
	tests := []struct {
		name, username, password string
		want                     []string
	}{
		{name: "valid", username: "alice", password: "s3cret"},
		{name: "empty", want: []string{"spec.username: Required value", "spec.password: Required value"}},
		{name: "too long", username: strings.Repeat("a", MaxUsernameLength+1), password: long,
			want: []string{"spec.username: Too long", "spec.password: Too long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := ValidateLoginRequest(&login.LoginRequest{Spec: login.LoginRequestSpec{Username: tt.username, Password: tt.password}})
			if len(errs) != len(tt.want) {
				t.Fatalf("got %v, want %v", errs, tt.want)
			}
			for i, w := range tt.want {
				if msg := errs[i].Error(); !strings.Contains(msg, w) || strings.Contains(msg, "s3cret") {
					t.Errorf("error %q: want %q, and never the password", msg, w)
				}
			}
		})
	}
}
