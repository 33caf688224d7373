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
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"

	"example.com/example-apiserver/pkg/apis/config/v1alpha1"
	"example.com/example-apiserver/pkg/apis/config/validation"
)

// FuzzDecodeConfiguration feeds arbitrary bytes to the --config loader and the admission
// plugins' configuration loaders, then validates what decodes: no panic, no stall, every
// validation error names its field, and a valid configuration written back as YAML
// (--write-config-to) decodes to the same thing. `go test` replays the corpus; `make fuzz`
// explores further.
func FuzzDecodeConfiguration(f *testing.F) {
	const slowInput = 10 * time.Second
	if data, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "artifacts", "config", "example-apiserver.yaml")); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	for _, input := range []string{
		header,
		header + "etcd: {servers: [http://127.0.0.1:2379], embeddedDataDir: /tmp/x}\n",
		header + "cronTabPolicy: {imagePolicy: {allowedPrefixes: ['', 'UPPER', 'a//b'], requireDigest: true}, namespaceLimits: {defaultMaxCronTabs: -1}}\n",
		header + "featureGates: {NoSuchGate: true}\nlogging: {format: xml, verbosity: -1}\n",
		header + "externalMetrics: [{name: a}, {name: a}]\n",
		header + "etcd: &e {servers: *e}\n",
		header + "etcd: {servers: [a], servers: [b]}\n",
		"apiVersion: config.example.com/v1alpha1\nkind: CronTabImagePolicyConfiguration\nallowedPrefixes: [ghcr.io]\n",
		`{"apiVersion":"config.example.com/v1alpha1","kind":"CronTabNamespaceLimitsConfiguration","defaultMaxCronTabs":2}`,
		"apiVersion: config.example.com/__internal\nkind: ExampleAPIServerConfiguration\n",
		"kind: [",
		"",
	} {
		f.Add([]byte(input))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(slowInput, func() { panic(fmt.Sprintf("loading took over %s: %q", slowInput, data)) })
		defer watchdog.Stop()
		_, _ = DecodeCronTabImagePolicyConfiguration(data)
		_, _ = DecodeCronTabNamespaceLimitsConfiguration(data)
		cfg, err := DecodeExampleAPIServerConfiguration(data)
		if err != nil {
			return
		}
		errs := validation.ValidateExampleAPIServerConfiguration(cfg)
		for _, e := range errs {
			if e.Field == "" {
				t.Fatalf("validation error without a field path: %v\ninput: %q", e, data)
			}
		}
		if len(errs) > 0 {
			return
		}
		written, err := EncodeYAML(cfg, v1alpha1.SchemeGroupVersion)
		if err != nil {
			t.Fatalf("a valid configuration does not encode: %v\ninput: %q", err, data)
		}
		again, err := DecodeExampleAPIServerConfiguration(written)
		if err != nil {
			t.Fatalf("a valid configuration written back does not load: %v\nwritten:\n%s", err, written)
		}
		if !apiequality.Semantic.DeepEqual(cfg, again) {
			t.Fatalf("a valid configuration changed when written back:\nbefore: %#v\nafter:  %#v\nwritten:\n%s", cfg, again, written)
		}
	})
}
