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
	goruntime "runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apiserver"
	examplev1client "example.com/example-apiserver/pkg/generated/clientset/versioned/typed/example/v1"
	crontabstorage "example.com/example-apiserver/pkg/registry/example/crontab"
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

// noValidation is a create strategy that skips Validate: the B of the template validation's
// A/B, everything else of a create unchanged.
type noValidation struct{ rest.RESTCreateStrategy }

func (noValidation) Validate(context.Context, runtime.Object) field.ErrorList { return nil }

// parallelCPU runs create in parallel as the other create benchmarks do and reports the
// process's CPU time per operation besides the wall time: server, client and etcd all run in
// this process, and on a shared machine CPU time is what a loaded neighbour disturbs least.
func parallelCPU(b *testing.B, create func() error) {
	b.Helper()
	var before, after syscall.Rusage
	b.SetParallelism(8)
	// Garbage left by the setup is not the arm's to collect.
	goruntime.GC()
	b.ResetTimer()
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &before)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := create(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &after)
	cpu := time.Duration(after.Utime.Nano() + after.Stime.Nano() - before.Utime.Nano() - before.Stime.Nano())
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkCronTabCreateJobTemplate measures what validating a full job template costs a
// create: "server" is the create of a v2 CronTab with a full template through HTTP; the
// "store" pair creates the same object in the crontabs store on the same etcd with and
// without validation, so their difference is the validation's cost alone. A create's CPU
// grows with what the process and etcd hold, so the arms compare only as make
// bench-inprocess runs them (test/bench inprocess.go): each alone in a fresh process, all
// creating as many CronTabs, in alternating order.
func BenchmarkCronTabCreateJobTemplate(b *testing.B) {
	var n atomic.Int64
	name := func() string { return fmt.Sprintf("ct-%d", n.Add(1)) }
	b.Run("server", func(b *testing.B) {
		cronTabs := server.Client.ExampleV2().CronTabs("bench-template-server")
		parallelCPU(b, func() error {
			_, err := cronTabs.Create(context.Background(), fullTemplateCronTab(name()), metav1.CreateOptions{})
			return err
		})
	})

	versioned := fullTemplateCronTab("")
	apiserver.Scheme.Default(versioned)
	template := &example.CronTab{}
	if err := apiserver.Scheme.Convert(versioned, template, nil); err != nil {
		b.Fatal(err)
	}
	for _, arm := range []struct {
		name     string
		strategy func(rest.RESTCreateStrategy) rest.RESTCreateStrategy
	}{
		{"store/validation", func(s rest.RESTCreateStrategy) rest.RESTCreateStrategy { return s }},
		{"store/no-validation", func(s rest.RESTCreateStrategy) rest.RESTCreateStrategy { return noValidation{s} }},
	} {
		b.Run(arm.name, func(b *testing.B) {
			storage, err := crontabstorage.NewStorage(apiserver.Scheme, server.RESTOptionsGetter)
			if err != nil {
				b.Fatal(err)
			}
			defer storage.CronTab.Store.DestroyFunc()
			storage.CronTab.Store.CreateStrategy = arm.strategy(storage.CronTab.Store.CreateStrategy)
			ctx := genericapirequest.WithNamespace(context.Background(), "bench-template-store")
			parallelCPU(b, func() error {
				ct := template.DeepCopy()
				ct.Name = name()
				_, err := storage.CronTab.Create(ctx, ct, rest.ValidateAllObjectFunc, &metav1.CreateOptions{})
				return err
			})
		})
	}
}
