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
	"strings"
	"testing"

	"k8s.io/client-go/util/cert"

	"example.com/example-apiserver/test/certs"
	"example.com/example-apiserver/test/ldaptest"
)

// TLS to the directory, as production runs it: StartTLS on ldap:// and ldaps://, each with
// the CA that signed the directory's certificate and, refused, with another.
func TestAuthenticateTLS(t *testing.T) {
	ca := certs.NewCA(t, "directory CA")
	serving := ca.Issue(t, certs.Leaf{Config: cert.Config{
		CommonName: "127.0.0.1", Usages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		AltNames: cert.AltNames{IPs: []net.IP{net.ParseIP("127.0.0.1")}},
	}})
	dir := ldaptest.StartTLS(t, serving)
	caFiles := map[string]string{}
	for name, pair := range map[string]*certs.KeyPair{"right": ca, "other": certs.NewCA(t, "another CA")} {
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
