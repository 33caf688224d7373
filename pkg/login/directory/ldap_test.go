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

package directory

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"k8s.io/client-go/util/cert"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/test/ldaptest"
	"example.com/example-apiserver/test/utils"
)

// TLS to the directory, as production runs it: StartTLS on ldap:// and ldaps://, each with
// the CA that signed the directory's certificate and, refused, with another.
func TestAuthenticateTLS(t *testing.T) {
	ca := utils.NewCA(t, "directory CA")
	serving := ca.Issue(t, utils.Leaf{Config: cert.Config{
		CommonName: "127.0.0.1", Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AltNames: cert.AltNames{IPs: []net.IP{net.ParseIP("127.0.0.1")}},
	}})
	dir := ldaptest.StartTLS(t, serving)
	caFiles := map[string]string{}
	for name, pair := range map[string]*utils.KeyPair{"right": ca, "other": utils.NewCA(t, "another CA")} {
		caFiles[name] = filepath.Join(t.TempDir(), name+".crt")
		if err := os.WriteFile(caFiles[name], pair.CertPEM, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	keysFile := filepath.Join(t.TempDir(), "keys.pem")
	base := dir.LoginConfig(t, keysFile).LDAP
	password := dir.Password(t, "alice")

	tests := []struct {
		name, url, caFile string
		startTLS          bool
		wantErr           string
	}{
		{name: "StartTLS", url: dir.URL, caFile: caFiles["right"], startTLS: true},
		{name: "ldaps", url: dir.LDAPSURL, caFile: caFiles["right"]},
		{name: "StartTLS, another CA", url: dir.URL, caFile: caFiles["other"], startTLS: true, wantErr: "StartTLS"},
		{name: "ldaps, another CA", url: dir.LDAPSURL, caFile: caFiles["other"], wantErr: "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.URL, cfg.CAFile, cfg.StartTLS = tt.url, tt.caFile, tt.startTLS
			l, err := NewLDAP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			identity, err := l.Authenticate(context.Background(), "alice", password)
			if tt.wantErr != "" {
				if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want ErrUnavailable with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if identity.Username != "alice" || strings.Join(identity.Groups, ",") != "cron-admins,readers" {
				t.Errorf("identity %+v", identity)
			}
		})
	}
}

// Every refused login asks the directory what a wrong password asks it: bind as the service
// account, search, bind with the password, refused as invalid credentials. An unknown user
// is not answered sooner, so the time of the answer does not tell which accounts exist.
// (Compared by what the directory logged, not by timing.)
func TestAuthenticateRefusalsAskTheSame(t *testing.T) {
	dir := ldaptest.Start(t)
	base := dir.LoginConfig(t, filepath.Join(t.TempDir(), "keys.pem")).LDAP
	password := dir.Password(t, "alice")
	people := base.UserSearch.BaseDN
	userDNs := map[string]bool{"uid=alice," + people: true, "uid=bob," + people: true}

	tests := []struct {
		name, username, password string
		configure                func(*config.LDAPConfiguration)
		// userDN is the entry the password is tried on; "" is a name under the user search
		// base that is no entry.
		userDN string
	}{
		{name: "wrong password", username: "alice", password: "not-" + password, userDN: "uid=alice," + people},
		{name: "unknown user", username: "nobody", password: password},
		{name: "ambiguous user name", username: "alice", password: password, configure: func(c *config.LDAPConfiguration) {
			c.UserSearch.Filter = "(|(uid={username})(uid=bob))"
		}},
		{name: "entry without the username attribute", username: "alice", password: password, configure: func(c *config.LDAPConfiguration) {
			c.UserSearch.UsernameAttribute = "employeeNumber"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			if tt.configure != nil {
				tt.configure(&cfg)
			}
			l, err := NewLDAP(cfg)
			if err != nil {
				t.Fatal(err)
			}
			before := len(dir.Connections())
			if _, err := l.Authenticate(context.Background(), tt.username, tt.password); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("got %v, want ErrInvalidCredentials", err)
			}
			conns := dir.WaitConnections(t, before+1)
			if len(conns) != before+1 {
				t.Fatalf("the login opened %d connections, want 1: %+v", len(conns)-before, conns[before:])
			}
			ops := conns[before]
			want := []ldaptest.Operation{
				{Kind: "BIND", DN: cfg.BindDN, Result: 0},
				{Kind: "SRCH", DN: people, Result: 0},
				{Kind: "BIND", DN: tt.userDN, Result: 49}, // invalidCredentials
			}
			if len(ops) == len(want) && tt.userDN == "" {
				dn := ops[2].DN
				if !strings.HasSuffix(dn, ","+people) || userDNs[dn] {
					t.Errorf("the password was tried on %q, want a name under %s that is no entry", dn, people)
				}
				want[2].DN = dn
			}
			if !reflect.DeepEqual(ops, want) {
				t.Errorf("the directory was asked\n%+v\nwant\n%+v", ops, want)
			}
		})
	}
}

// A bind with the user's password refuses the login whatever the directory answers, and is
// unavailable only when the directory does not answer: an unknown user's bind to a name that
// is no entry, answered with another code than a wrong password's, must not be a 503.
func TestPasswordBindError(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want error
	}{
		{name: "success", err: nil, want: nil},
		{name: "invalidCredentials", err: ldap.NewError(ldap.LDAPResultInvalidCredentials, errors.New("")), want: ErrInvalidCredentials},
		{name: "noSuchObject", err: ldap.NewError(ldap.LDAPResultNoSuchObject, errors.New("")), want: ErrInvalidCredentials},
		{name: "invalidDNSyntax", err: ldap.NewError(ldap.LDAPResultInvalidDNSyntax, errors.New("")), want: ErrInvalidCredentials},
		{name: "unwillingToPerform", err: ldap.NewError(ldap.LDAPResultUnwillingToPerform, errors.New("")), want: ErrInvalidCredentials},
		{name: "busy", err: ldap.NewError(ldap.LDAPResultBusy, errors.New("")), want: ErrUnavailable},
		{name: "unavailable", err: ldap.NewError(ldap.LDAPResultUnavailable, errors.New("")), want: ErrUnavailable},
		{name: "connection closed", err: ldap.NewError(ldap.ErrorNetwork, errors.New("ldap: connection closed")), want: ErrUnavailable},
		{name: "not an LDAP result", err: errors.New("failed to decode child control"), want: ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := passwordBindError(tt.err); !errors.Is(got, tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

// A directory whose own size limit is 1 returns one of several entries with
// sizeLimitExceeded: that is an ambiguous user name, refused, not the user.
func TestAuthenticateSizeLimitIsAmbiguous(t *testing.T) {
	dir := ldaptest.StartWith(t, ldaptest.Options{DatabaseConfig: "sizelimit 1"})
	cfg := dir.LoginConfig(t, filepath.Join(t.TempDir(), "keys.pem")).LDAP
	cfg.GroupSearch.BaseDN = "" // the groups would exceed the limit too
	for _, username := range []string{"alice", "bob"} {
		cfg.UserSearch.Filter = "(|(uid={username})(uid=alice)(uid=bob))"
		l, err := NewLDAP(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if identity, err := l.Authenticate(context.Background(), username, dir.Password(t, username)); !errors.Is(err, ErrInvalidCredentials) {
			t.Errorf("%s, of two entries the filter finds: got %+v, %v, want ErrInvalidCredentials", username, identity, err)
		}
	}
}
