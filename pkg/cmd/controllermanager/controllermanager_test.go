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

package controllermanager

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"k8s.io/apiserver/pkg/server"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string // substring; empty: valid
	}{
		{name: "defaults"},
		{name: "the local stack's command line", args: []string{"--kubeconfig=k", "--bind-address=127.0.0.1", "--secure-port=10400", "--leader-elect=true", "--v=2"}},
		{name: "no leader election", args: []string{"--leader-elect=false", "--leader-elect-lease-duration=0s"}},
		{name: "zero workers", args: []string{"--concurrent-crontab-syncs=0"}, wantErr: "--concurrent-crontab-syncs must be positive"},
		{name: "negative qps", args: []string{"--kube-api-qps=-1"}, wantErr: "--kube-api-qps must be positive"},
		{name: "zero burst", args: []string{"--kube-api-burst=0"}, wantErr: "--kube-api-burst must be positive"},
		{name: "renew deadline past the lease", args: []string{"--leader-elect-renew-deadline=20s"}, wantErr: "must be greater than `RenewDeadline`"},
		{name: "no serving", args: []string{"--secure-port=0"}, wantErr: "--secure-port must be set"},
		{name: "contention profiling alone", args: []string{"--profiling=false", "--contention-profiling"}, wantErr: "--contention-profiling needs --profiling"},
		{name: "contention profiling", args: []string{"--contention-profiling"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOptions()
			fs := NewCommand(t.Context(), o).Flags()
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			err := o.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want no error", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	o := NewOptions()
	le := o.LeaderElection
	if !le.LeaderElect || le.ResourceName != "example-controller-manager" || le.ResourceNamespace != "example-system" || le.ResourceLock != "leases" {
		t.Errorf("leader election defaults = %+v", le)
	}
	if o.SecureServing.BindPort != 10360 || o.SecureServing.ServerCert.CertDirectory != "" {
		t.Errorf("secure serving: port %d, cert directory %q; want 10360 and an in-memory certificate", o.SecureServing.BindPort, o.SecureServing.ServerCert.CertDirectory)
	}
}

// TestHandler checks who may see what: probes need no credentials, /metrics does.
func TestHandler(t *testing.T) {
	o := NewOptions()
	// No kubeconfigs, outside a cluster: anonymous requests, authorized by path only.
	var c Config
	if err := o.Authentication.ApplyTo(&c.Authentication, &server.SecureServingInfo{}, nil); err != nil {
		t.Fatal(err)
	}
	if err := o.Authorization.ApplyTo(&c.Authorization); err != nil {
		t.Fatal(err)
	}
	synced := false
	srv := httptest.NewServer(c.Complete().handler(func() bool { return synced }, nil))
	defer srv.Close()

	tests := []struct {
		path     string
		synced   bool
		wantCode int
	}{
		{path: "/healthz", wantCode: http.StatusOK},
		{path: "/livez", wantCode: http.StatusOK},
		{path: "/readyz", wantCode: http.StatusInternalServerError},
		{path: "/readyz", synced: true, wantCode: http.StatusOK},
		{path: "/metrics", synced: true, wantCode: http.StatusForbidden},
	}
	for _, tc := range tests {
		synced = tc.synced
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.wantCode {
			t.Errorf("GET %s with informers synced=%v: %d, want %d", tc.path, tc.synced, resp.StatusCode, tc.wantCode)
		}
	}
}

// TestProfiling checks that --profiling=false removes /debug (allowed to all here, so that
// only the route decides).
func TestProfiling(t *testing.T) {
	for _, tc := range []struct {
		profiling bool
		path      string
		wantCode  int
	}{
		{profiling: true, path: "/debug/pprof/", wantCode: http.StatusOK},
		{profiling: true, path: "/debug/flags", wantCode: http.StatusOK},
		{profiling: false, path: "/debug/pprof/", wantCode: http.StatusNotFound},
		{profiling: false, path: "/debug/flags", wantCode: http.StatusNotFound},
	} {
		o := NewOptions()
		o.Authorization.AlwaysAllowPaths = []string{"/debug/*"}
		c := Config{Debugging: o.Debugging}
		c.Debugging.EnableProfiling = tc.profiling
		if err := o.Authentication.ApplyTo(&c.Authentication, &server.SecureServingInfo{}, nil); err != nil {
			t.Fatal(err)
		}
		if err := o.Authorization.ApplyTo(&c.Authorization); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(c.Complete().handler(func() bool { return true }, nil))
		resp, err := http.Get(srv.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		srv.Close()
		if resp.StatusCode != tc.wantCode {
			t.Errorf("--profiling=%v: GET %s: %d, want %d", tc.profiling, tc.path, resp.StatusCode, tc.wantCode)
		}
	}
}
