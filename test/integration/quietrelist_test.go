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
	"strconv"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/apiserver/pkg/storage/storagebackend"
	testingclock "k8s.io/utils/clock/testing"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	serveroptions "example.com/example-apiserver/pkg/cmd/server"
	"example.com/example-apiserver/test/integration/framework"
	"example.com/example-apiserver/test/loadcheck"
	"example.com/example-apiserver/test/utils"
)

// TestQuietRelistDropsHistoryWithoutAGap: after a burst and a quiet history window the
// CronTabs' watch cache relists; a watch from before the relist then gets 410, and every
// watch, whether it was open across the relist or opened after it, delivers each write once.
func TestQuietRelistDropsHistoryWithoutAGap(t *testing.T) {
	const burst = 60
	quiet := testingclock.NewFakeClock(time.Now())
	srv, err := framework.StartServerWithOptions(func(o *serveroptions.Options) { o.WatchCacheRelistClock = quiet },
		fmt.Sprintf("--watch-cache-relist-after-events=%d", burst/2))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	const ns = "quiet-relist"
	cronTabs := srv.Client.ExampleV1().CronTabs(ns)

	start, err := cronTabs.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	live := loadcheck.Collect(ctx, "the watch open across the relist", srv.Client, ns, start.ResourceVersion)
	defer live.Stop()
	var acked []loadcheck.Write
	write := func(name string) {
		t.Helper()
		ct, err := cronTabs.Create(ctx, loadcheck.CronTab(name), metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, loadcheck.Write{Name: ct.Name, RV: mustParseRV(t, ct)})
	}
	for i := range burst {
		write(fmt.Sprintf("burst-%d", i))
	}
	waitForWatch(t, live, acked)

	// The history serves a watch from before the burst until the relist.
	if first := firstEvent(ctx, t, srv, ns, start.ResourceVersion); first.Type != watch.Added {
		t.Fatalf("a watch from before the burst got %s %v before the relist, want the burst's first ADDED", first.Type, first.Object)
	}
	initializations := watchCacheInitializations(ctx, t, srv)
	quiet.Step(storagebackend.DefaultEventsHistoryWindow)
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		return watchCacheInitializations(ctx, t, srv) > initializations, nil
	}); err != nil {
		t.Fatalf("the CronTabs' watch cache did not relist after a quiet window: %v", err)
	}

	// A watch from before the relist gets 410 Gone, the signal to relist: never a gap.
	if err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		e := firstEvent(ctx, t, srv, ns, start.ResourceVersion)
		return e.Type == watch.Error && apierrors.IsResourceExpired(apierrors.FromObject(e.Object)), nil
	}); err != nil {
		t.Fatalf("a watch from the resourceVersion before the burst did not get 410 after the relist: %v", err)
	}

	relisted, err := cronTabs.List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(relisted.Items) != burst {
		t.Fatalf("after the relist the server lists %d CronTabs, want %d", len(relisted.Items), burst)
	}
	fresh := loadcheck.Collect(ctx, "the watch opened after the relist", srv.Client, ns, relisted.ResourceVersion)
	defer fresh.Stop()
	before := len(acked)
	for i := range burst / 4 {
		write(fmt.Sprintf("after-%d", i))
	}
	waitForWatch(t, fresh, acked[before:])
	if check := fresh.Check(acked[before:], nil); !check.OK() {
		t.Errorf("%s: %s", fresh.Name, check)
	}

	// The watch that was open across the relist resumes from the last event it delivered:
	// it gets every write once, or, from a resourceVersion the relist passed, 410 and no event
	// after it; never a write skipped or delivered twice.
	var check loadcheck.EventCheck
	_ = wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		check = live.Check(acked, nil)
		return check.Missing == 0 || strings.Contains(strings.Join(check.Problems, "\n"), "cannot resume from resourceVersion"), nil
	})
	if check.Duplicates+check.OutOfOrder+check.Unwritten > 0 {
		t.Errorf("%s: %s", live.Name, check)
	}
	if check.Missing > 0 {
		delivered := live.Events()
		if strings.Count(strings.Join(check.Problems, "\n"), "cannot resume from resourceVersion") != 1 || delivered[len(delivered)-1] != acked[len(delivered)-1] {
			t.Errorf("%s missed writes without a 410 after the ones it delivered: %s", live.Name, check)
		}
		t.Logf("%s got 410 when it resumed after the relist, as a client whose resourceVersion the relist passed", live.Name)
	}
}

// waitForWatch waits until c delivered the acked writes.
func waitForWatch(t *testing.T, c *loadcheck.Collector, acked []loadcheck.Write) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		return c.Check(acked, nil).Missing == 0, nil
	}); err != nil {
		t.Fatalf("%s: %s", c.Name, c.Check(acked, nil))
	}
}

// firstEvent is the first event of a watch of ns from rv, or an Error event for a watch the
// server refused.
func firstEvent(ctx context.Context, t *testing.T, srv *framework.TestServer, ns, rv string) watch.Event {
	t.Helper()
	w, err := srv.Client.ExampleV1().CronTabs(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: rv})
	if err != nil {
		status, ok := err.(apierrors.APIStatus)
		if !ok {
			t.Fatal(err)
		}
		s := status.Status()
		return watch.Event{Type: watch.Error, Object: &s}
	}
	defer w.Stop()
	select {
	case e := <-w.ResultChan():
		return e
	case <-time.After(30 * time.Second):
		t.Fatalf("a watch from resourceVersion %s delivered nothing", rv)
		return watch.Event{}
	}
}

// watchCacheInitializations is how many times the CronTabs' watch cache has listed etcd.
func watchCacheInitializations(ctx context.Context, t *testing.T, srv *framework.TestServer) float64 {
	t.Helper()
	data, err := srv.Metrics(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return utils.Counter(t, data, "apiserver_watch_cache_initializations_total", map[string]string{"group": "example.com", "resource": "crontabs"})
}

func mustParseRV(t *testing.T, ct *examplev1.CronTab) uint64 {
	t.Helper()
	rv, err := strconv.ParseUint(ct.ResourceVersion, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return rv
}
