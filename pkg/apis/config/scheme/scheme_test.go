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

package scheme

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/config/v1alpha1"
	"example.com/example-apiserver/pkg/apis/config/validation"
)

const header = "apiVersion: config.example.com/v1alpha1\nkind: ExampleAPIServerConfiguration\n"

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		wantErr []string
	}{
		{name: "unknown top-level field", data: header + "etcdd: {}\n", wantErr: []string{"strict decoding error", `unknown field "etcdd"`}},
		{name: "unknown nested field", data: header + "cronTabPolicy:\n  imagePolicy:\n    allowedPrefix: [ghcr.io]\n",
			wantErr: []string{`unknown field "cronTabPolicy.imagePolicy.allowedPrefix"`}},
		{name: "duplicate field", data: header + "etcd:\n  prefix: /a\n  prefix: /b\n", wantErr: []string{"prefix", "already"}},
		{name: "field with another case", data: header + "Etcd: {}\n", wantErr: []string{`unknown field "Etcd"`}},
		{name: "string for a number", data: header + "cronTabPolicy:\n  namespaceLimits:\n    defaultMaxCronTabs: many\n",
			wantErr: []string{"defaultMaxCronTabs", "int32"}},
		{name: "list for a string", data: header + "etcd:\n  prefix: [a]\n", wantErr: []string{"prefix"}},
		{name: "wrong version", data: "apiVersion: config.example.com/v1beta1\nkind: ExampleAPIServerConfiguration\n",
			wantErr: []string{`"config.example.com/v1beta1"`, "want apiVersion config.example.com/v1alpha1, kind ExampleAPIServerConfiguration"}},
		{name: "wrong kind", data: "apiVersion: config.example.com/v1alpha1\nkind: KubeletConfiguration\n",
			wantErr: []string{`kind "KubeletConfiguration" is not supported`, "kind ExampleAPIServerConfiguration"}},
		{name: "another kind of this group", data: "apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\n",
			wantErr: []string{"not supported", "kind ExampleAPIServerConfiguration"}},
		{name: "internal version", data: "apiVersion: config.example.com/__internal\nkind: ExampleAPIServerConfiguration\n", wantErr: []string{"not supported"}},
		{name: "no apiVersion", data: "kind: ExampleAPIServerConfiguration\n", wantErr: []string{`apiVersion ""`, "want apiVersion config.example.com/v1alpha1"}},
		{name: "empty document", data: "", wantErr: []string{"not supported"}},
		{name: "not YAML", data: "etcd: [\n", wantErr: []string{"yaml"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := DecodeExampleAPIServerConfiguration([]byte(tc.data))
			if err == nil {
				t.Fatalf("decoded %+v, want an error", cfg)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

func TestDecodeDefaults(t *testing.T) {
	cfg, err := DecodeExampleAPIServerConfiguration([]byte(header))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Etcd.Prefix != v1alpha1.DefaultEtcdPrefix || len(cfg.Etcd.Servers) != 0 || cfg.Etcd.EmbeddedDataDir != "" {
		t.Errorf("etcd defaults %+v", cfg.Etcd)
	}
	if cfg.Logging.Format != "text" || cfg.Logging.FlushFrequency.Duration.Duration == 0 {
		t.Errorf("logging defaults %+v", cfg.Logging)
	}
	policy := cfg.CronTabPolicy
	if len(policy.ImagePolicy.AllowedPrefixes) != 0 || policy.ImagePolicy.RequireDigest ||
		policy.NamespaceLimits.DefaultMaxCronTabs != nil || policy.NamespaceLimits.DefaultMaxReplicas != nil {
		t.Errorf("policy defaults %+v: want allow everything, no caps", policy)
	}
	if errs := validation.ValidateExampleAPIServerConfiguration(cfg); len(errs) > 0 {
		t.Errorf("the defaults do not validate: %v", errs)
	}
}

func TestDecodeKeepsGivenValues(t *testing.T) {
	cfg, err := DecodeExampleAPIServerConfiguration([]byte(header + `
etcd:
  servers: [https://etcd-0:2379]
  prefix: /custom
cronTabPolicy:
  imagePolicy: {allowedPrefixes: [ghcr.io/acme], requireDigest: true}
  namespaceLimits: {defaultMaxCronTabs: 0, defaultMaxReplicas: 7}
logging: {format: json, verbosity: 3}
featureGates: {SomeGate: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	want := config.CronTabPolicy{
		ImagePolicy:     config.CronTabImagePolicy{AllowedPrefixes: []string{"ghcr.io/acme"}, RequireDigest: true},
		NamespaceLimits: config.CronTabNamespaceLimits{DefaultMaxCronTabs: ptr.To[int32](0), DefaultMaxReplicas: ptr.To[int32](7)},
	}
	if !reflect.DeepEqual(cfg.CronTabPolicy, want) {
		t.Errorf("policy %+v, want %+v (an explicit 0 is a cap, not unset)", cfg.CronTabPolicy, want)
	}
	if cfg.Etcd.Servers[0] != "https://etcd-0:2379" || cfg.Etcd.Prefix != "/custom" || cfg.Logging.Format != "json" ||
		cfg.Logging.Verbosity != 3 || !cfg.FeatureGates["SomeGate"] {
		t.Errorf("values lost: %+v", cfg)
	}
}

// TestEncodeRoundTrip: what --write-config-to writes decodes to the same configuration, and
// it shows the fields a user would edit.
func TestEncodeRoundTrip(t *testing.T) {
	cfg, err := DecodeExampleAPIServerConfiguration([]byte(header + "cronTabPolicy: {namespaceLimits: {defaultMaxReplicas: 3}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	data, err := EncodeYAML(cfg, v1alpha1.SchemeGroupVersion)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: config.example.com/v1alpha1", "kind: ExampleAPIServerConfiguration", "servers: []",
		"prefix: /registry/example.com", "allowedPrefixes: []", "requireDigest: false", "defaultMaxReplicas: 3", "format: text"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("encoded configuration lacks %q:\n%s", want, data)
		}
	}
	again, err := DecodeExampleAPIServerConfiguration(data)
	if err != nil {
		t.Fatalf("decoding what was encoded: %v\n%s", err, data)
	}
	if !reflect.DeepEqual(cfg.CronTabPolicy, again.CronTabPolicy) || !reflect.DeepEqual(cfg.Etcd, again.Etcd) ||
		!reflect.DeepEqual(cfg.Logging, again.Logging) {
		t.Errorf("round trip changed the configuration:\n%+v\n%+v", cfg, again)
	}
}

func TestDecodePluginConfigurations(t *testing.T) {
	image, err := DecodeCronTabImagePolicyConfiguration([]byte("apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\nallowedPrefixes: [ghcr.io]\nrequireDigest: true\n"))
	if err != nil || !image.RequireDigest || len(image.AllowedPrefixes) != 1 {
		t.Errorf("image policy configuration: %+v, %v", image, err)
	}
	// An AdmissionConfiguration hands nested plugin configurations over as JSON.
	limits, err := DecodeCronTabNamespaceLimitsConfiguration([]byte(`{"apiVersion":"config.example.com/v1alpha1","kind":"CronTabNamespaceLimitsConfiguration","defaultMaxCronTabs":2}`))
	if err != nil || limits.DefaultMaxCronTabs == nil || *limits.DefaultMaxCronTabs != 2 || limits.DefaultMaxReplicas != nil {
		t.Errorf("namespace limits configuration: %+v, %v", limits, err)
	}
	if _, err := DecodeCronTabNamespaceLimitsConfiguration([]byte(`{"apiVersion":"config.example.com/v1alpha1","kind":"CronTabNamespaceLimitsConfiguration","maxCronTabs":2}`)); err == nil ||
		!strings.Contains(err.Error(), `unknown field "maxCronTabs"`) {
		t.Errorf("unknown field in a plugin configuration: %v", err)
	}
	if _, err := DecodeCronTabImagePolicyConfiguration([]byte(header)); err == nil || !strings.Contains(err.Error(), "kind CronTabImagePolicyConfiguration") {
		t.Errorf("a whole server configuration given as a plugin configuration: %v", err)
	}
}

// TestExampleConfigFile keeps artifacts/config/example-apiserver.yaml loadable and valid.
func TestExampleConfigFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "artifacts", "config", "example-apiserver.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := DecodeExampleAPIServerConfiguration(data)
	if err != nil {
		t.Fatal(err)
	}
	if errs := validation.ValidateExampleAPIServerConfiguration(cfg); len(errs) > 0 {
		t.Fatalf("the example does not validate: %v", errs)
	}
	if len(cfg.CronTabPolicy.ImagePolicy.AllowedPrefixes) == 0 {
		t.Error("the example should show an image allow list")
	}
}
