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

package server

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-base/featuregate"
	logsapi "k8s.io/component-base/logs/api/v1"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/config/logging"
)

// gates is a feature gate with the logging gates, as the server registers them.
func gates(t *testing.T) featuregate.MutableFeatureGate {
	t.Helper()
	fg := featuregate.NewFeatureGate()
	if err := logsapi.AddFeatureGates(fg); err != nil {
		t.Fatal(err)
	}
	return fg
}

func validComponentConfig() *config.ExampleAPIServerConfiguration {
	return &config.ExampleAPIServerConfiguration{
		Etcd:    config.EtcdConfiguration{Prefix: "/registry/example.com", StorageVersion: "v1"},
		Logging: fromLogsAPI(logsapi.NewLoggingConfiguration()),
	}
}

func TestValidateComponentConfig(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*config.ExampleAPIServerConfiguration)
		// want are the expected errors, each as "path: type" substrings, in order.
		want []string
	}{
		{name: "defaults", modify: func(*config.ExampleAPIServerConfiguration) {}},
		{name: "a known feature gate", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.FeatureGates = map[string]bool{"LoggingBetaOptions": true}
		}},
		{name: "unknown feature gate", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.FeatureGates = map[string]bool{"NoSuchGate": true, "AlsoNoGate": false}
		}, want: []string{"featureGates[AlsoNoGate]: Invalid value: false: unrecognized feature gate", "featureGates[NoSuchGate]: Invalid value: true"}},
		{name: "bad logging", modify: func(c *config.ExampleAPIServerConfiguration) { c.Logging.Format = "xml" }, want: []string{"logging.format: Invalid value: \"xml\": Unsupported log format"}},
		{name: "the API's errors first", modify: func(c *config.ExampleAPIServerConfiguration) {
			c.Etcd.Prefix = ""
			c.CronTabPolicy.NamespaceLimits.DefaultMaxReplicas = ptr.To[int32](-1)
			c.Logging.Format = "xml"
		}, want: []string{"etcd.prefix", "cronTabPolicy.namespaceLimits.defaultMaxReplicas", "logging.format"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := validComponentConfig()
			tc.modify(cfg)
			errs := ValidateComponentConfig(cfg, gates(t))
			if len(errs) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(tc.want), errs)
			}
			for i, want := range tc.want {
				if !strings.Contains(errs[i].Error(), want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i].Error(), want)
				}
			}
		})
	}
}

// TestFeatureGatesAreNotChanged: validation must try gates on a copy only.
func TestFeatureGatesAreNotChanged(t *testing.T) {
	fg := gates(t)
	before := fg.Enabled(logsapi.LoggingAlphaOptions)
	cfg := validComponentConfig()
	cfg.FeatureGates = map[string]bool{string(logsapi.LoggingAlphaOptions): !before}
	if errs := ValidateComponentConfig(cfg, fg); len(errs) > 0 {
		t.Fatal(errs)
	}
	if fg.Enabled(logsapi.LoggingAlphaOptions) != before {
		t.Error("validation changed the server's feature gate")
	}
}

// TestLoggingIsComponentBase: the configuration's logging section has component-base's fields,
// JSON names and types, so that a field component-base adds fails here rather than being
// refused in users' files.
func TestLoggingIsComponentBase(t *testing.T) {
	same := map[reflect.Type]bool{
		reflect.TypeFor[metav1.Duration]():        true,
		reflect.TypeFor[resource.QuantityValue](): true,
	}
	var compare func(path string, ours, theirs reflect.Type)
	compare = func(path string, ours, theirs reflect.Type) {
		if same[ours] || same[theirs] {
			if ours != theirs {
				t.Errorf("%s: %v, component-base has %v", path, ours, theirs)
			}
			return
		}
		if ours.Kind() != theirs.Kind() {
			t.Errorf("%s: a %v, component-base has a %v", path, ours.Kind(), theirs.Kind())
			return
		}
		switch ours.Kind() {
		case reflect.Struct:
			if ours.NumField() != theirs.NumField() {
				t.Errorf("%s: %d fields, component-base has %d", path, ours.NumField(), theirs.NumField())
				return
			}
			for i := range ours.NumField() {
				o, c := ours.Field(i), theirs.Field(i)
				if o.Name != c.Name || o.Tag.Get("json") != c.Tag.Get("json") || o.Anonymous != c.Anonymous {
					t.Errorf("%s: field %s `json:%q`, component-base has %s `json:%q`", path, o.Name, o.Tag.Get("json"), c.Name, c.Tag.Get("json"))
					continue
				}
				compare(path+"."+o.Name, o.Type, c.Type)
			}
		case reflect.Slice, reflect.Pointer, reflect.Map:
			compare(path+"[]", ours.Elem(), theirs.Elem())
		}
	}
	compare("LoggingConfiguration", reflect.TypeFor[logging.LoggingConfiguration](), reflect.TypeFor[logsapi.LoggingConfiguration]())

	var ours logging.LoggingConfiguration
	logging.SetRecommendedLoggingConfiguration(&ours)
	var theirs logsapi.LoggingConfiguration
	logsapi.SetRecommendedLoggingConfiguration(&theirs)
	if got := toLogsAPI(&ours); !apiequality.Semantic.DeepEqual(got, &theirs) {
		t.Errorf("defaults %+v, component-base's %+v", got, theirs)
	}
}

// TestLoggingRoundTrip: a logging section reads and writes as component-base's does, and
// converts to it and back without a change.
func TestLoggingRoundTrip(t *testing.T) {
	for _, doc := range []string{
		`{"format":"json","flushFrequency":"3s","verbosity":4,"vmodule":[{"filePattern":"server*","verbosity":6}],"options":{"text":{"splitStream":true,"infoBufferSize":"4Ki"},"json":{"infoBufferSize":"0"}}}`,
		`{"flushFrequency":2000000000,"verbosity":0}`,
		`{"flushFrequency":0,"verbosity":0,"vmodule":[]}`,
	} {
		var ours logging.LoggingConfiguration
		decoder := json.NewDecoder(strings.NewReader(doc))
		decoder.DisallowUnknownFields()
		if err := decoder.Decode(&ours); err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		var theirs logsapi.LoggingConfiguration
		if err := json.Unmarshal([]byte(doc), &theirs); err != nil {
			t.Fatal(err)
		}
		if !apiequality.Semantic.DeepEqual(toLogsAPI(&ours), &theirs) {
			t.Errorf("%s: read as %+v, component-base reads %+v", doc, *toLogsAPI(&ours), theirs)
		}
		back := fromLogsAPI(toLogsAPI(&ours))
		if !apiequality.Semantic.DeepEqual(back, ours) {
			t.Errorf("%s: %+v after a round trip through component-base, was %+v", doc, back, ours)
		}
		ourJSON, _ := json.Marshal(ours)
		theirJSON, _ := json.Marshal(theirs)
		if string(ourJSON) != string(theirJSON) {
			t.Errorf("%s: written as %s, component-base writes %s", doc, ourJSON, theirJSON)
		}
	}
}
