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
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	examplev1client "example.com/example-apiserver/pkg/generated/clientset/versioned/typed/example/v1"
)

// createIfMissing creates a seed CronTab; the testing package runs a benchmark function more
// than once, so the object may exist from the previous run.
func createIfMissing(b *testing.B, cronTabs examplev1client.CronTabInterface, name string) {
	b.Helper()
	if _, err := cronTabs.Create(context.Background(), seedCronTab(name), metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		b.Fatal(err)
	}
}

// These benchmarks measure the server in-process against its embedded etcd through the
// generated clientset (JSON). Run them with make bench; compare runs with benchstat.

func BenchmarkCronTabCreate(b *testing.B) {
	cronTabs := server.Client.ExampleV1().CronTabs(fmt.Sprintf("bench-create-%d", b.N))
	var n atomic.Int64
	b.SetParallelism(8) // 16 concurrent clients on the 2-core CI machine
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			ct := seedCronTab(fmt.Sprintf("ct-%d", n.Add(1)))
			if _, err := cronTabs.Create(context.Background(), ct, metav1.CreateOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCronTabGet(b *testing.B) {
	cronTabs := server.Client.ExampleV1().CronTabs("bench-get")
	createIfMissing(b, cronTabs, "read-me")
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := cronTabs.Get(context.Background(), "read-me", metav1.GetOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkCronTabPatch(b *testing.B) {
	cronTabs := server.Client.ExampleV1().CronTabs("bench-patch")
	createIfMissing(b, cronTabs, "patch-me")
	b.ResetTimer()
	for i := range b.N {
		patch := fmt.Appendf(nil, `{"metadata":{"annotations":{"n":"%d"}}}`, i)
		if _, err := cronTabs.Patch(context.Background(), "patch-me", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCronTabList500(b *testing.B) {
	ctx := context.Background()
	cronTabs := server.Client.ExampleV1().CronTabs("bench-list")
	for i := range 500 {
		createIfMissing(b, cronTabs, fmt.Sprintf("ct-%d", i))
	}
	b.ResetTimer()
	for range b.N {
		list, err := cronTabs.List(ctx, metav1.ListOptions{})
		if err != nil || len(list.Items) != 500 {
			b.Fatalf("list: %v, %d items", err, len(list.Items))
		}
	}
}
