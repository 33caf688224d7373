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

package e2e

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// TestProtobufThroughTheAggregator sends a CronTab as protobuf to kube-apiserver, which proxies
// it to example-apiserver, and reads it back as protobuf the same way, as the generated
// clientset does (it prefers protobuf; a CRD could only answer JSON).
func TestProtobufThroughTheAggregator(t *testing.T) {
	ns := stack.Namespace(t, "e2e-protobuf")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	client, err := clientset.NewForConfig(config)
	if err != nil {
		t.Fatal(err)
	}
	restClient := client.ExampleV1().RESTClient()

	sent := &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: "over-protobuf"},
		Spec:       examplev1.CronTabSpec{CronSpec: "*/5 * * * *", Image: "my-awesome-cron-image"},
	}
	var created examplev1.CronTab
	var contentType string
	if err := restClient.Post().UseProtobufAsDefault().Namespace(ns).Resource("crontabs").Body(sent).
		Do(ctx).ContentType(&contentType).Into(&created); err != nil {
		stack.Fatalf(t, "creating a CronTab as protobuf through the aggregator: %v", err)
	}
	if contentType != runtime.ContentTypeProtobuf {
		t.Errorf("create answered in %q, want %s", contentType, runtime.ContentTypeProtobuf)
	}

	var got examplev1.CronTab
	if err := restClient.Get().UseProtobufAsDefault().Namespace(ns).Resource("crontabs").Name(sent.Name).
		Do(ctx).ContentType(&contentType).Into(&got); err != nil {
		stack.Fatalf(t, "reading the CronTab as protobuf through the aggregator: %v", err)
	}
	if contentType != runtime.ContentTypeProtobuf {
		t.Errorf("get answered in %q, want %s", contentType, runtime.ContentTypeProtobuf)
	}
	if got.Spec.CronSpec != sent.Spec.CronSpec || got.Spec.Image != sent.Spec.Image || got.Spec.Replicas == nil || *got.Spec.Replicas != 1 {
		t.Errorf("read back spec %+v, want %+v with replicas defaulted to 1", got.Spec, sent.Spec)
	}
	if got.UID != created.UID || got.UID == "" {
		t.Errorf("read back UID %q, created %q", got.UID, created.UID)
	}
}
