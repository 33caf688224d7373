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

package reliability

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/test/loadcheck"
	"example.com/example-apiserver/test/utils"
)

// TestTwoReplicas runs two example-apiservers on one etcd, writes through both at once and
// watches through both: each watch must deliver every write, from either replica, exactly
// once and in resourceVersion order, also across a watch restarted from the last
// resourceVersion it delivered.
func TestTwoReplicas(t *testing.T) {
	const (
		ns      = "replicas"
		writers = 4 // per replica
		perW    = 40
	)
	certs := newPKI(t)
	etcd := startEtcd(t)
	a := startAPIServer(t, "example-apiserver-a", certs, etcd.URL)
	b := startAPIServer(t, "example-apiserver-b", certs, etcd.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	start, err := a.Client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	watchA := loadcheck.Collect(ctx, a.Name+"'s watch", a.Client, ns, start.ResourceVersion)
	defer watchA.Stop()
	watchB := loadcheck.Collect(ctx, b.Name+"'s watch", b.Client, ns, start.ResourceVersion)
	defer watchB.Stop()

	// Creates and then an update of each object, through both replicas concurrently.
	var mu sync.Mutex
	var acked []loadcheck.Write
	var wg sync.WaitGroup
	for _, s := range []*apiServer{a, b} {
		for w := range writers {
			wg.Go(func() {
				cronTabs := s.Client.ExampleV1().CronTabs(ns)
				for i := range perW {
					ct, err := cronTabs.Create(ctx, loadcheck.CronTab(fmt.Sprintf("%s-%d-%d", s.Name, w, i)), metav1.CreateOptions{})
					if err != nil {
						t.Errorf("create through %s: %v", s.Name, err)
						return
					}
					ct.Spec.Image = "registry.example.com/job:2.0"
					updated, err := cronTabs.Update(ctx, ct, metav1.UpdateOptions{})
					if err != nil {
						t.Errorf("update through %s: %v", s.Name, err)
						return
					}
					mu.Lock()
					acked = append(acked, loadcheck.Write{Name: ct.Name, RV: mustRV(t, ct)}, loadcheck.Write{Name: updated.Name, RV: mustRV(t, updated)})
					mu.Unlock()
					if i == perW/2 && s == a && w == 0 {
						// Midway, B's watch is dropped and picked up again from the last
						// resourceVersion it delivered, while the writes go on.
						watchB.Restart()
					}
				}
			})
		}
	}
	wg.Wait()
	if t.Failed() {
		return
	}

	for _, c := range []*loadcheck.Collector{watchA, watchB} {
		utils.Eventually(t, 60*time.Second, c.Name+" delivers every acknowledged write", func() (bool, string) {
			check := c.Check(acked, nil)
			return check.Missing == 0, check.String()
		})
		// Nothing but the acknowledged writes (attempted nil): each once, in order.
		if check := c.Check(acked, nil); !check.OK() {
			t.Errorf("%s: %s", c.Name, check)
		}
		if n := len(c.Resumes()); n > 0 {
			t.Logf("%s was resumed %d times from the last delivered RV; %d events", c.Name, n, len(c.Events()))
		}
	}
	if len(watchB.Resumes()) == 0 {
		t.Error("B's watch was never restarted: the test did not cover resuming from a resourceVersion")
	}

	// A quorum read through either replica sees every object at its last written version.
	for _, s := range []*apiServer{a, b} {
		list, err := s.Client.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != len(acked)/2 {
			t.Errorf("%s lists %d CronTabs, want %d", s.Name, len(list.Items), len(acked)/2)
		}
		for _, ct := range list.Items {
			if ct.Spec.Image != "registry.example.com/job:2.0" {
				t.Errorf("%s lists %s with image %s, the value before the acknowledged update", s.Name, ct.Name, ct.Spec.Image)
			}
		}
	}
	a.AssertNoPanic(t)
	b.AssertNoPanic(t)
}

func mustRV(t *testing.T, ct *examplev1.CronTab) uint64 {
	rv, err := strconv.ParseUint(ct.ResourceVersion, 10, 64)
	if err != nil {
		t.Errorf("resourceVersion %q of %s: %v", ct.ResourceVersion, ct.Name, err)
	}
	return rv
}
