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

package externalmetrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
)

func TestLabelMatchers(t *testing.T) {
	tests := []struct {
		selector string
		want     string
		wantErr  bool
	}{
		{selector: "", want: ""},
		{selector: "app=web", want: `app="web"`},
		{selector: "app==web,tier!=db", want: `app="web",tier!="db"`},
		{selector: "env in (prod,dev.1)", want: `env=~"dev\\.1|prod"`},
		{selector: "env notin (a)", want: `env!~"a"`},
		{selector: "canary", want: `canary!=""`},
		{selector: "!canary", want: `canary=""`},
		{selector: `app=we"b`, wantErr: true}, // not a valid label value in the first place
		{selector: "app.kubernetes.io/name=web", wantErr: true},
		{selector: "replicas>3", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.selector, func(t *testing.T) {
			selector, err := labels.Parse(tc.selector)
			if err != nil {
				if !tc.wantErr {
					t.Fatalf("parse: %v", err)
				}
				return
			}
			matchers, err := LabelMatchers(selector)
			if tc.wantErr {
				if !apierrors.IsBadRequest(err) {
					t.Errorf("got %v, want a 400", err)
				}
				return
			}
			if got := strings.Join(matchers, ","); err != nil || got != tc.want {
				t.Errorf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// fakePrometheus answers /api/v1/query with body and records the queries it got.
type fakePrometheus struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
	auth    []string
	body    string
	delay   time.Duration
	// reject is an Authorization header answered with 401, as a token that was rotated out.
	reject string
}

func newFakePrometheus(t *testing.T, body string) *fakePrometheus {
	f := &fakePrometheus{body: body}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f.mu.Lock()
		f.queries = append(f.queries, r.Form.Get("query"))
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		delay, rejected := f.delay, f.reject != "" && r.Header.Get("Authorization") == f.reject
		f.mu.Unlock()
		if rejected {
			http.Error(w, "token revoked", http.StatusUnauthorized)
			return
		}
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, f.body)
	}))
	t.Cleanup(f.Close)
	return f
}

const vectorBody = `{"status":"success","data":{"resultType":"vector","result":[
 {"metric":{"__name__":"http_requests","pod":"a"},"value":[1700000000,"300"]},
 {"metric":{"__name__":"http_requests","pod":"b"},"value":[1700000000,"150"]}]}}`

func TestPrometheusQuery(t *testing.T) {
	prom := newFakePrometheus(t, vectorBody)
	source, err := NewPrometheusSource(PrometheusOptions{URL: prom.URL, Query: `http_requests{ {{- .LabelMatchers -}} }`, NamespaceLabel: "namespace", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	samples, err := source.Query(context.Background(), "shop", labels.SelectorFromSet(labels.Set{"app": "web"}))
	if err != nil {
		t.Fatal(err)
	}
	if want := `http_requests{namespace="shop",app="web"}`; len(prom.queries) != 1 || prom.queries[0] != want {
		t.Errorf("queries %q, want [%q]", prom.queries, want)
	}
	if len(samples) != 2 || samples[0].Value != 300 || samples[0].Labels["pod"] != "a" || samples[1].Value != 150 {
		t.Errorf("samples %+v", samples)
	}
	if _, hasName := samples[0].Labels["__name__"]; hasName {
		t.Error("the metric name label was kept")
	}
}

func TestPrometheusResultTypes(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    []float64
		wantErr string
	}{
		{"scalar", `{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}`, []float64{42}, ""},
		{"empty vector", `{"status":"success","data":{"resultType":"vector","result":[]}}`, nil, ""},
		{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[]}}`, nil, "want a scalar or an instant vector"},
		{"query error", `{"status":"error","errorType":"bad_data","error":"parse error"}`, nil, "parse error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prom := newFakePrometheus(t, tc.body)
			source, err := NewPrometheusSource(PrometheusOptions{URL: prom.URL, Query: "up"})
			if err != nil {
				t.Fatal(err)
			}
			samples, err := source.Query(context.Background(), "default", labels.Everything())
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			var got []float64
			for _, s := range samples {
				got = append(got, s.Value)
			}
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestPrometheusTimeoutIsServiceUnavailable(t *testing.T) {
	prom := newFakePrometheus(t, vectorBody)
	prom.delay = time.Minute
	source, err := NewPrometheusSource(PrometheusOptions{URL: prom.URL, Query: "up", Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p, _ := newTestProvider(t, source, 0)
	done := make(chan error, 1)
	go func() { _, _, err := get(p, "http_requests"); done <- err }()
	select {
	case err := <-done:
		if status, ok := err.(apierrors.APIStatus); !ok || status.Status().Code != http.StatusServiceUnavailable {
			t.Errorf("got %v, want 503", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the query outlived its timeout")
	}
}

// TestPrometheusBearerTokenFollowsRotation: the token file is read once and re-read when
// Prometheus refuses the token, so the query after a rotation's 401 carries the new token.
func TestPrometheusBearerTokenFollowsRotation(t *testing.T) {
	prom := newFakePrometheus(t, vectorBody)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("first\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	source, err := NewPrometheusSource(PrometheusOptions{URL: prom.URL, Query: "up", BearerTokenFile: tokenFile})
	if err != nil {
		t.Fatal(err)
	}
	query := func() error {
		_, err := source.Query(context.Background(), "default", labels.Everything())
		return err
	}
	if err := query(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tokenFile, []byte("rotated"), 0o600); err != nil {
		t.Fatal(err)
	}
	prom.mu.Lock()
	prom.reject = "Bearer first"
	prom.mu.Unlock()
	if err := query(); err == nil {
		t.Fatal("a query with the revoked token succeeded")
	}
	if err := query(); err != nil {
		t.Fatalf("the query after the 401: %v", err)
	}
	if fmt.Sprint(prom.auth) != "[Bearer first Bearer first Bearer rotated]" {
		t.Errorf("Authorization headers %q", prom.auth)
	}
}

func TestPrometheusBadTemplateIsAConfigError(t *testing.T) {
	for _, query := range []string{"up{ {{.LabelMatchers}", "up{ {{.NoSuchField}} }"} {
		if _, err := NewPrometheusSource(PrometheusOptions{URL: "http://127.0.0.1:1", Query: query}); err == nil {
			t.Errorf("query %q was accepted", query)
		}
	}
}
