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
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config"
)

func validConfig() *config.ExampleAPIServerConfiguration {
	return &config.ExampleAPIServerConfiguration{
		Etcd: config.EtcdConfiguration{Prefix: "/registry/example.com", StorageVersion: "v1"},
	}
}

func TestValidateExampleAPIServerConfiguration(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*config.ExampleAPIServerConfiguration)
		// want are the expected errors, each as "path: type" substrings, in order.
		want []string
	}{
		{name: "defaults", modify: func(*config.ExampleAPIServerConfiguration) {}},
		{name: "everything set", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.Etcd.Servers = []string{"https://10.0.0.1:2379", "http://etcd:2379"}
			c.CronTabPolicy.ImagePolicy = config.CronTabImagePolicy{
				AllowedPrefixes: []string{"registry.example.com", "docker.io/library/", "localhost:5000/team", "10.0.0.2:5000"},
				RequireDigest:   true,
			}
			c.CronTabPolicy.NamespaceLimits = config.CronTabNamespaceLimits{DefaultMaxCronTabs: ptr.To[int32](0), DefaultMaxReplicas: ptr.To[int32](10)}
		}},
		{name: "negative caps", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.CronTabPolicy.NamespaceLimits = config.CronTabNamespaceLimits{DefaultMaxCronTabs: ptr.To[int32](-2), DefaultMaxReplicas: ptr.To[int32](-1)}
		}, want: []string{
			"cronTabPolicy.namespaceLimits.defaultMaxCronTabs: Invalid value: -2: must be greater than or equal to 0",
			"cronTabPolicy.namespaceLimits.defaultMaxReplicas: Invalid value: -1: must be greater than or equal to 0",
		}},
		{name: "bad image prefixes", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.CronTabPolicy.ImagePolicy.AllowedPrefixes = []string{"", "library/nginx", "nginx", "ghcr.io/acme:1.0", "ghcr.io/a@sha256:abc", "Registry.Example.com/UPPER", "ghcr.io", "ghcr.io/"}
		}, want: []string{
			"allowedPrefixes[0]: Invalid value", "allowedPrefixes[1]: Invalid value", "allowedPrefixes[2]: Invalid value",
			"allowedPrefixes[3]: Invalid value", "allowedPrefixes[4]: Invalid value", "allowedPrefixes[5]: Invalid value",
			"cronTabPolicy.imagePolicy.allowedPrefixes[7]: Duplicate value",
		}},
		{name: "bad etcd", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.Etcd = config.EtcdConfiguration{Servers: []string{"etcd:2379", "http://a:1", "http://a:1", "unix:///x"}, Prefix: "registry", EmbeddedDataDir: "/var/lib/etcd", StorageVersion: "v1"}
		}, want: []string{
			"etcd.servers[0]: Invalid value", "etcd.servers[2]: Duplicate value", "etcd.servers[3]: Invalid value",
			"etcd.prefix: Invalid value: \"registry\": must start with /", "etcd.embeddedDataDir: Invalid value",
		}},
		{name: "no prefix", modify: func(c *config.ExampleAPIServerConfiguration) { c.Etcd.Prefix = "" }, want: []string{"etcd.prefix: Required value"}},
		{name: "storage version", modify: func(c *config.ExampleAPIServerConfiguration) { c.Etcd.StorageVersion = "v3" },
			want: []string{`etcd.storageVersion: Unsupported value: "v3": supported values: "v1", "v2"`}},
		{name: "all errors at once", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.Etcd.Prefix = ""
			c.CronTabPolicy.NamespaceLimits.DefaultMaxReplicas = ptr.To[int32](-1)
		}, want: []string{"etcd.prefix", "cronTabPolicy.namespaceLimits.defaultMaxReplicas"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validConfig()
			tc.modify(cfg)
			errs := ValidateExampleAPIServerConfiguration(cfg)
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(errs), len(tc.want), join(errs))
			}
			for i, want := range tc.want {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), want)
				}
			}
		})
	}
}

func join(errs field.ErrorList) string {
	var lines []string
	for _, err := range errs {
		lines = append(lines, err.Error())
	}
	return strings.Join(lines, "\n")
}
