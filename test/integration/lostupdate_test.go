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
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestNoLostUpdates has 16 writers increment one CronTab's annotation counter 200 times each
// with read-modify-write and retry on 409 Conflict. Optimistic concurrency on
// resourceVersion must make every acknowledged update count: the final value is exactly the
// number of 200 OK answers. A lost update (two writers both succeeding from the same read)
// shows as a final value below that.
func TestNoLostUpdates(t *testing.T) {
	const (
		writers    = 16
		increments = 200
		key        = "example.com/counter"
	)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cronTabs := server.Client.ExampleV1().CronTabs("lost-updates")
	ct := seedCronTab("counter")
	ct.Annotations = map[string]string{key: "0"}
	if _, err := cronTabs.Create(ctx, ct, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create: %v", err)
	}

	var acked, conflicts atomic.Int64
	errs := make(chan error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range increments {
				for attempt := 0; ; attempt++ {
					cur, err := cronTabs.Get(ctx, "counter", metav1.GetOptions{})
					if err != nil {
						errs <- fmt.Errorf("writer %d: get: %w", w, err)
						return
					}
					n, err := strconv.Atoi(cur.Annotations[key])
					if err != nil {
						errs <- fmt.Errorf("writer %d: counter %q: %w", w, cur.Annotations[key], err)
						return
					}
					cur.Annotations[key] = strconv.Itoa(n + 1)
					_, err = cronTabs.Update(ctx, cur, metav1.UpdateOptions{})
					if err == nil {
						acked.Add(1)
						break
					}
					if !apierrors.IsConflict(err) {
						errs <- fmt.Errorf("writer %d: update: %w", w, err)
						return
					}
					conflicts.Add(1)
					// A little jitter spreads the losers out; without it 15 of 16 retry in
					// lock-step and the run costs many times more requests.
					time.Sleep(time.Duration(rand.IntN(min(attempt+1, 8))) * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	final, err := cronTabs.Get(ctx, "counter", metav1.GetOptions{})
	if err != nil {
		t.Fatalf("final get: %v", err)
	}
	t.Logf("%d acknowledged updates, %d conflicts retried", acked.Load(), conflicts.Load())
	if acked.Load() != writers*increments {
		t.Errorf("%d acknowledged updates, want %d", acked.Load(), writers*increments)
	}
	if got := final.Annotations[key]; got != strconv.FormatInt(acked.Load(), 10) {
		t.Errorf("counter = %s after %d acknowledged increments: updates were lost", got, acked.Load())
	}
	if conflicts.Load() == 0 {
		t.Error("no conflict in 16-way contention: the test did not exercise optimistic concurrency")
	}
}
