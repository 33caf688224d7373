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
	"io"
	"net"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/features"
	utilfeature "k8s.io/apiserver/pkg/util/feature"
	cliflag "k8s.io/component-base/cli/flag"

	"example.com/example-apiserver/pkg/apis/example"
)

// importedListFromCacheSnapshot is the process's ListFromCacheSnapshot gate as importing this
// package leaves it: TestMain reads it before any test runs NewOptions.
var importedListFromCacheSnapshot bool

func TestMain(m *testing.M) {
	importedListFromCacheSnapshot = utilfeature.DefaultFeatureGate.Enabled(features.ListFromCacheSnapshot)
	os.Exit(m.Run())
}

// TestImportChangesNoFeatureGate: the server's gate defaults are set by NewOptions, so a
// program that imports the package (a test, a tool) keeps Kubernetes' defaults.
func TestImportChangesNoFeatureGate(t *testing.T) {
	if !importedListFromCacheSnapshot {
		t.Error("importing the package turned ListFromCacheSnapshot off; only NewOptions may")
	}
	NewOptions(io.Discard, io.Discard)
	NewOptions(io.Discard, io.Discard) // again, as config.go does: the override happens once
	if utilfeature.DefaultFeatureGate.Enabled(features.ListFromCacheSnapshot) {
		t.Error("NewOptions left ListFromCacheSnapshot on")
	}
}

func parsedOptions(t *testing.T, args ...string) *Options {
	t.Helper()
	o := NewOptions(io.Discard, io.Discard)
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	fs.SetNormalizeFunc(cliflag.WordSepNormalizeFunc) // as component-base's cli.Run does
	for _, section := range o.Flags().FlagSets {
		fs.AddFlagSet(section)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %v: %v", args, err)
	}
	return o
}

func TestDefaults(t *testing.T) {
	o := parsedOptions(t)
	if got := o.RecommendedOptions.SecureServing.BindAddress.String(); got != "127.0.0.1" {
		t.Errorf("default bind address %s, want 127.0.0.1 (never all interfaces by accident)", got)
	}
	if got := o.RecommendedOptions.Etcd.StorageConfig.Prefix; got != DefaultEtcdPathPrefix {
		t.Errorf("etcd prefix %q, want %q", got, DefaultEtcdPathPrefix)
	}
	if !o.useEmbeddedEtcd() {
		t.Error("without --etcd-servers the embedded etcd must be used")
	}
	if parsedOptions(t, "--etcd-servers=http://127.0.0.1:2379").useEmbeddedEtcd() {
		t.Error("with --etcd-servers the embedded etcd must not be used")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "embedded etcd needs no --etcd-servers"},
		{name: "external etcd", args: []string{"--etcd-servers=http://127.0.0.1:2379"}},
		{name: "bad storage media type", args: []string{"--storage-media-type=text/plain"}, wantErr: "--storage-media-type"},
		{name: "bad log format", args: []string{"--logging-format=xml"}, wantErr: "invalid configuration (flags): logging.format"},
		{name: "etcd prefix without slash", args: []string{"--etcd-prefix=registry"}, wantErr: "etcd.prefix: Invalid value"},
		{name: "upstream plugin in standalone", args: []string{"--standalone", "--enable-admission-plugins=ValidatingAdmissionWebhook"},
			wantErr: "ValidatingAdmissionWebhook needs a kube-apiserver"},
		{name: "own plugin in standalone", args: []string{"--standalone", "--disable-admission-plugins=CronTabImagePolicy"}},
		{name: "client certificate cache off", args: []string{"--client-certificate-cache-size=0"}},
		{name: "negative client certificate cache", args: []string{"--client-certificate-cache-size=-1"}, wantErr: "--client-certificate-cache-size must not be negative"},
		{name: "watch cache history never dropped", args: []string{"--watch-cache-relist-after-events=0"}},
		{name: "negative watch cache relist events", args: []string{"--watch-cache-relist-after-events=-1"}, wantErr: "--watch-cache-relist-after-events must not be negative"},
		// No unknown --feature-gates case: setting one leaves it in the process-wide gate for
		// every later test. config_test.go checks unknown gates on a copy of the gate.
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := parsedOptions(t, tc.args...)
			err := o.ComponentGlobalsRegistry.Set()
			if err == nil {
				err = o.Complete(tc.args)
			}
			if err == nil {
				err = o.Validate()
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("got %v, want an error mentioning %q", err, tc.wantErr)
			}
		})
	}
}

func TestStandaloneSwitchesOffDelegation(t *testing.T) {
	o, err := completed(t, "--standalone")
	if err != nil {
		t.Fatal(err)
	}
	ro := o.RecommendedOptions
	if ro.CoreAPI != nil || ro.Features.EnablePriorityAndFairness {
		t.Error("standalone must not need a kube-apiserver for the core API or priority and fairness")
	}
	if got := standaloneAdmissionPlugins(ro.Admission); strings.Join(got, ",") != "CronTabImagePolicy,CronTabNamespaceLimits,CronTabPodSecurity" {
		t.Errorf("standalone admission plugins %v, want only our own", got)
	}
	if !ro.Authentication.RemoteKubeConfigFileOptional || !ro.Authorization.RemoteKubeConfigFileOptional {
		t.Error("standalone must not require delegated authentication or authorization kubeconfigs")
	}

	delegated, err := completed(t)
	if err != nil {
		t.Fatal(err)
	}
	if delegated.RecommendedOptions.Admission == nil || delegated.RecommendedOptions.Authorization.RemoteKubeConfigFileOptional {
		t.Error("without --standalone, admission and delegated authorization stay on")
	}
}

func TestServerRunFlagsReachTheServerConfig(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	o, err := completed(t, "--standalone", "--cert-dir="+t.TempDir(), "--secure-port="+strconv.Itoa(port),
		"--shutdown-delay-duration=7s", "--request-timeout=42s", "--max-requests-inflight=17")
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	cfg, err := o.Config()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cfg.GenericConfig.SecureServing.Listener.Close() })
	c := cfg.GenericConfig.Config
	if c.ShutdownDelayDuration != 7*time.Second || c.RequestTimeout != 42*time.Second || c.MaxRequestsInFlight != 17 {
		t.Errorf("shutdown delay %s, request timeout %s, max in flight %d; want 7s, 42s, 17", c.ShutdownDelayDuration, c.RequestTimeout, c.MaxRequestsInFlight)
	}
	if c.FeatureGate == nil || c.EffectiveVersion == nil {
		t.Error("the feature gate and effective version were not applied")
	}
}

// TestStorageCodecFollowsStorageMediaType checks that --storage-media-type chooses how
// CronTabs are written to etcd (protobuf unless told otherwise), that either encoding is read
// back, and that an unusable media type is an error naming the flag.
func TestStorageCodecFollowsStorageMediaType(t *testing.T) {
	cronTab := &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "stored", Namespace: "default"},
		// As stored: defaults applied, so decoding (which defaults) gives the same spec back.
		Spec: example.CronTabSpec{CronSpec: "@hourly", Image: "nginx", Replicas: 1, ConcurrencyPolicy: example.AllowConcurrent,
			SuccessfulJobsHistoryLimit: 3, FailedJobsHistoryLimit: 1},
	}
	encoded := map[string][]byte{}
	for _, tc := range []struct {
		args       []string
		version    string
		wantPrefix string
	}{
		{nil, "v1", "k8s\x00"},
		{[]string{"--storage-media-type=application/json"}, "v1", `{"kind":"CronTab","apiVersion":"example.com/v1"`},
		{[]string{"--storage-media-type=application/json"}, "v2", `{"kind":"CronTab","apiVersion":"example.com/v2"`},
	} {
		etcd, err := withStorageCodec(*parsedOptions(t, tc.args...).RecommendedOptions.Etcd, tc.version, true)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		data, err := runtime.Encode(etcd.StorageConfig.Codec, cronTab)
		if err != nil {
			t.Fatalf("%v: encoding: %v", tc.args, err)
		}
		if !strings.HasPrefix(string(data), tc.wantPrefix) {
			t.Errorf("%v: stored as %q, want it to start with %q", tc.args, data, tc.wantPrefix)
		}
		encoded[strings.Join(append(tc.args, tc.version), " ")] = data
	}
	// Each codec reads what the others wrote: switching the flags needs no migration.
	etcd, _ := withStorageCodec(*parsedOptions(t).RecommendedOptions.Etcd, "v1", true)
	for args, data := range encoded {
		obj, err := runtime.Decode(etcd.StorageConfig.Codec, data)
		if err != nil {
			t.Fatalf("reading what %q wrote: %v", args, err)
		}
		if got := obj.(*example.CronTab); !reflect.DeepEqual(got.Spec, cronTab.Spec) || got.Name != cronTab.Name {
			t.Errorf("reading what %q wrote: got %+v", args, got)
		}
	}

	if _, err := withStorageCodec(*parsedOptions(t, "--storage-media-type=text/plain").RecommendedOptions.Etcd, "v1", true); err == nil || !strings.Contains(err.Error(), "--storage-media-type") {
		t.Errorf("text/plain storage: got %v, want an error naming --storage-media-type", err)
	}
}
