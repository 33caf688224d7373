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

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
	"example.com/example-apiserver/test/integration/framework"
	"example.com/example-apiserver/test/utils"
)

// protobufMagic starts every object Kubernetes stores or serves as protobuf.
var protobufMagic = []byte("k8s\x00")

// newEtcdClient reaches the etcd of srv (default: the package's server).
func newEtcdClient(t *testing.T, srv ...*framework.TestServer) *clientv3.Client {
	t.Helper()
	endpoints := server.EtcdServers
	if len(srv) > 0 {
		endpoints = srv[0].EtcdServers
	}
	etcd, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("etcd client: %v", err)
	}
	t.Cleanup(func() { _ = etcd.Close() })
	return etcd
}

// TestJSONStoredCronTabsStayReadable stores protobuf by default, and still reads what a server
// that stored JSON (before protobuf, or with --storage-media-type=application/json) wrote: the
// object is served unchanged and its next update rewrites it as protobuf.
func TestJSONStoredCronTabsStayReadable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	etcd := newEtcdClient(t)
	cronTabs := server.Client.ExampleV1().CronTabs("storage-media-type")

	created, err := cronTabs.Create(ctx, seedCronTab("legacy"), metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	key, value, err := utils.StoredObject(ctx, etcd, server.EtcdPrefix, "crontabs", created.Namespace, created.Name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(value, protobufMagic) {
		t.Fatalf("stored as %q, want protobuf", value[:min(len(value), 40)])
	}

	legacy := created.DeepCopy()
	legacy.APIVersion, legacy.Kind = examplev1.SchemeGroupVersion.String(), "CronTab"
	legacy.ResourceVersion = "" // never stored: etcd's revision is the resourceVersion
	legacy.Spec.Image = "registry.example.com/written-as-json:1"
	legacyJSON, err := json.Marshal(legacy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := etcd.Put(ctx, key, string(legacyJSON)); err != nil {
		t.Fatalf("writing JSON to etcd: %v", err)
	}

	// A GET may be served from the watch cache, which sees the write a moment later.
	if err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		got, err := cronTabs.Get(ctx, legacy.Name, metav1.GetOptions{})
		return err == nil && got.Spec.Image == legacy.Spec.Image, err
	}); err != nil {
		t.Fatalf("the JSON-stored CronTab is not served: %v", err)
	}
	got, err := cronTabs.Get(ctx, legacy.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got.Spec.Replicas = ptr.To[int32](3)
	if _, err := cronTabs.Update(ctx, got, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("updating the JSON-stored CronTab: %v", err)
	}
	if _, value, err := utils.StoredObject(ctx, etcd, server.EtcdPrefix, "crontabs", created.Namespace, created.Name); err != nil || !bytes.HasPrefix(value, protobufMagic) {
		t.Errorf("after an update stored as %q (%v), want protobuf", value[:min(len(value), 40)], err)
	}
}

// TestTypedClientSpeaksProtobuf checks that the generated clientset asks for protobuf and the
// server answers in it, for objects, lists and the scale subresource.
func TestTypedClientSpeaksProtobuf(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu           sync.Mutex
		contentTypes []string
	)
	config := rest.CopyConfig(server.ClientConfig)
	config.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(req *http.Request) (*http.Response, error) {
			resp, err := rt.RoundTrip(req)
			if err == nil {
				mu.Lock()
				contentTypes = append(contentTypes, req.Method+" "+req.URL.Path+": "+resp.Header.Get("Content-Type"))
				mu.Unlock()
			}
			return resp, err
		})
	})
	client, err := clientset.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	cronTabs := client.ExampleV1().CronTabs("protobuf-wire")
	if _, err := cronTabs.Create(ctx, seedCronTab("wire"), metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := cronTabs.Get(ctx, "wire", metav1.GetOptions{}); err != nil {
		t.Fatalf("get: %v", err)
	}
	if _, err := cronTabs.List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list: %v", err)
	}
	if _, err := cronTabs.GetScale(ctx, "wire", metav1.GetOptions{}); err != nil {
		t.Fatalf("get scale: %v", err)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(contentTypes) != 4 {
		t.Fatalf("want 4 responses, got %q", contentTypes)
	}
	for _, ct := range contentTypes {
		if !strings.HasSuffix(ct, ": "+runtime.ContentTypeProtobuf) {
			t.Errorf("response not protobuf: %s", ct)
		}
	}
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
