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

	"k8s.io/apimachinery/pkg/util/validation/field"

	configscheme "example.com/example-apiserver/pkg/apis/config/scheme"
)

// A login section as users write it: the rest defaulted by the scheme.
const loginSection = `apiVersion: config.example.com/v1alpha1
kind: ExampleAPIServerConfiguration
login:
  signingKeysFile: /etc/example/login-keys.pem
  ldap:
    url: ldaps://ldap.example.com:636
    caFile: /etc/example/ldap-ca.crt
    bindDN: cn=kubernetes,ou=services,dc=example,dc=com
    bindPasswordFile: /etc/example/ldap-password
    userSearch: {baseDN: "ou=people,dc=example,dc=com"}
    groupSearch: {baseDN: "ou=groups,dc=example,dc=com"}
`

func TestValidateLoginConfiguration(t *testing.T) {
	tests := []struct {
		name string
		// replace edits the YAML above: old -> new pairs.
		replace []string
		// prefix is the user name prefix after defaulting.
		prefix string
		// unsetPrefix clears the user name prefix after defaulting, as a caller that builds
		// the internal configuration without the scheme could.
		unsetPrefix bool
		want        []string
	}{
		{name: "defaults", prefix: "ldap:"},
		{name: "no user name prefix, set explicitly", replace: []string{"  signingKeysFile:", "  usernamePrefix: \"\"\n  signingKeysFile:"}},
		{name: "user name prefix unset", unsetPrefix: true, want: []string{"login.usernamePrefix: Required"}},
		{name: "startTLS", prefix: "ldap:", replace: []string{"ldaps://ldap.example.com:636", "ldap://ldap.example.com:389\n    startTLS: true"}},
		{name: "bad url", replace: []string{"ldaps://ldap.example.com:636", "https://ldap.example.com"}, want: []string{"login.ldap.url: Invalid value"}},
		{name: "startTLS on ldaps", replace: []string{"caFile:", "startTLS: true\n    caFile:"}, want: []string{"login.ldap.startTLS: Forbidden"}},
		{name: "caFile without TLS", replace: []string{"ldaps://ldap.example.com:636", "ldap://127.0.0.1:389"}, want: []string{"login.ldap.caFile: Forbidden"}},
		{name: "passwords in clear to another host", replace: []string{"ldaps://ldap.example.com:636", "ldap://ldap.example.com:389", "    caFile: /etc/example/ldap-ca.crt\n", ""},
			want: []string{"login.ldap.url: Forbidden: ldap:// without startTLS sends passwords in clear text"}},
		{name: "passwords in clear to another host, said loudly", replace: []string{"ldaps://ldap.example.com:636", "ldap://ldap.example.com:389\n    insecureSendPasswordsInClear: true", "    caFile: /etc/example/ldap-ca.crt\n", ""}},
		{name: "passwords in clear on loopback", replace: []string{"ldaps://ldap.example.com:636", "ldap://127.0.0.1:389", "    caFile: /etc/example/ldap-ca.crt\n", ""}},
		{name: "passwords in clear on IPv6 loopback", replace: []string{"ldaps://ldap.example.com:636", "ldap://[::1]:389", "    caFile: /etc/example/ldap-ca.crt\n", ""}},
		{name: "passwords in clear on localhost", replace: []string{"ldaps://ldap.example.com:636", "ldap://localhost", "    caFile: /etc/example/ldap-ca.crt\n", ""}},
		{name: "insecure with TLS", replace: []string{"ldaps://ldap.example.com:636", "ldaps://ldap.example.com:636\n    insecureSendPasswordsInClear: true"},
			want: []string{"login.ldap.insecureSendPasswordsInClear: Forbidden"}},
		{name: "bind DN without password", replace: []string{"    bindPasswordFile: /etc/example/ldap-password\n", ""}, want: []string{"login.ldap.bindPasswordFile: Required"}},
		{name: "bad filters and DN", replace: []string{
			`userSearch: {baseDN: "ou=people,dc=example,dc=com"}`, `userSearch: {baseDN: "people", filter: "(uid=alice)"}`,
			`groupSearch: {baseDN: "ou=groups,dc=example,dc=com"}`, `groupSearch: {baseDN: "ou=groups,dc=example,dc=com", filter: "(member={dn}"}`,
		}, want: []string{
			"login.ldap.userSearch.baseDN: Invalid value", "login.ldap.userSearch.filter: Invalid value: \"(uid=alice)\": must contain {username}",
			"login.ldap.groupSearch.filter: Invalid value",
		}},
		{name: "lifetime, prefixes and limits", replace: []string{"  signingKeysFile:", "  tokenLifetime: 48h\n  usernamePrefix: \"system:\"\n  groupPrefix: \"system:\"\n  failedLogins: {perUser: -1}\n  signingKeysFile:"},
			want: []string{"login.tokenLifetime: Invalid value", "login.usernamePrefix: Invalid value", "login.groupPrefix: Invalid value", "login.failedLogins.perUser: Invalid value",
				"login.failedLogins.perUserAndSource: Invalid value: 5: must not be more than perUser"}},
		{name: "no limit per user and source", replace: []string{"  signingKeysFile:", "  failedLogins: {perUserAndSource: -1}\n  signingKeysFile:"},
			want: []string{"login.failedLogins.perUserAndSource: Invalid value: -1: must be at least 1"}},
		{name: "no keys", replace: []string{"  signingKeysFile: /etc/example/login-keys.pem\n", ""}, want: []string{"login.signingKeysFile: Required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := loginSection
			for i := 0; i < len(tt.replace); i += 2 {
				if !strings.Contains(doc, tt.replace[i]) {
					t.Fatalf("the test's YAML lacks %q", tt.replace[i])
				}
				doc = strings.Replace(doc, tt.replace[i], tt.replace[i+1], 1)
			}
			cfg, err := configscheme.DecodeExampleAPIServerConfiguration([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Login.GroupPrefix == "" || cfg.Login.LDAP.UserSearch.Filter == "" {
				t.Fatalf("not defaulted: %+v", cfg.Login)
			}
			if tt.prefix != "" && (cfg.Login.UsernamePrefix == nil || *cfg.Login.UsernamePrefix != tt.prefix) {
				t.Fatalf("user name prefix %v, want %q", cfg.Login.UsernamePrefix, tt.prefix)
			}
			if tt.unsetPrefix {
				cfg.Login.UsernamePrefix = nil
			}
			errs := ValidateLoginConfiguration(cfg.Login, field.NewPath("login"))
			if len(errs) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tt.want), errs)
			}
			for i, w := range tt.want {
				if !strings.Contains(errs[i].Error(), w) {
					t.Errorf("error %d: %q lacks %q", i, errs[i].Error(), w)
				}
			}
		})
	}
}
