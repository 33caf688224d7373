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
	"net/http"
	"strconv"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"example.com/example-apiserver/test/loadcheck"
	"example.com/example-apiserver/test/utils"
)

// TestEtcdFault kills etcd under a write load and starts it again. While it is down the
// server must answer every request with a 5xx within the request's timeout (no hang, no
// panic, no 2xx it cannot keep), /readyz must say so, and afterwards /readyz must recover,
// writes must succeed again and every write that was acknowledged must still be there.
func TestEtcdFault(t *testing.T) {
	const (
		ns = "etcd-fault"
		// What each write asks for with ?timeout=; the server's --request-timeout (60s) is
		// longer, so this is the bound a client can rely on.
		requestTimeout = 4 * time.Second
		// Slack for a loaded 2-core machine between the server giving up and the answer
		// arriving.
		slack = 6 * time.Second
	)
	certs := newPKI(t)
	etcd := startEtcd(t)
	server := startAPIServer(t, "example-apiserver", certs, etcd.URL)

	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	before, during, after := loadcheck.NewOutcome(), loadcheck.NewOutcome(), loadcheck.NewOutcome()
	current := before
	// Three phases, each with its own outcome: the writers are restarted between phases
	// so no answer is counted in the wrong one.
	run := func(o *loadcheck.Outcome) (stop func()) {
		phaseCtx, cancel := context.WithCancel(ctx)
		wait := loadcheck.CreateLoad(phaseCtx, server.Client, ns, fmt.Sprintf("w%p", o), 8, requestTimeout, o)
		return func() { cancel(); wait() }
	}

	stop := run(current)
	utils.Eventually(t, 60*time.Second, "200 writes acknowledged before the fault", func() (bool, string) {
		return current.AckedCount() >= 200, current.String()
	})
	stop()
	t.Logf("before the fault: %s", before)

	// etcd dies (SIGKILL, as in a crash or OOM kill) under load.
	current = during
	stop = run(current)
	etcd.Kill()
	killed := time.Now()
	utils.Eventually(t, 30*time.Second, "/readyz fails while etcd is down", func() (bool, string) {
		code, body := server.readyz()
		return code != http.StatusOK && code != 0, fmt.Sprintf("%d %s", code, body)
	})
	t.Logf("/readyz failed %s after etcd was killed", time.Since(killed).Round(time.Millisecond))
	// Writes in flight at the kill fail fast (connection reset); the ones after it wait for
	// an etcd that does not come back. Keep the load until each writer has had one of those
	// answered too, so the bound on the time to answer is tested.
	failedAtReadyz := current.FailureCount()
	utils.Eventually(t, 60*time.Second, "every writer has seen a failure after /readyz failed", func() (bool, string) {
		return current.FailureCount() >= failedAtReadyz+8, current.String()
	})
	stop()
	t.Logf("while etcd was down: %s", during)

	current = after
	stop = run(current)
	etcd.start(t)
	restarted := time.Now()
	utils.Eventually(t, 60*time.Second, "/readyz ok after etcd is back", func() (bool, string) {
		code, body := server.readyz()
		return code == http.StatusOK, fmt.Sprintf("%d %s", code, body)
	})
	t.Logf("/readyz ok %s after etcd was started again", time.Since(restarted).Round(time.Millisecond))
	utils.Eventually(t, 60*time.Second, "100 writes acknowledged after etcd is back", func() (bool, string) {
		return current.AckedCount() >= 100, current.String()
	})
	stop()
	t.Logf("after etcd was back: %s", after)

	if server.Exited() {
		t.Fatalf("example-apiserver exited: %v", server.WaitExit(0))
	}
	server.AssertNoPanic(t)
	for _, o := range []*loadcheck.Outcome{before, during, after} {
		if o.Slowest() > requestTimeout+slack {
			t.Errorf("a request took %s, past its %s timeout: %s", o.Slowest(), requestTimeout, o)
		}
	}
	for answer, n := range during.Failures() {
		if answer == "transport: "+loadcheck.StreamReset {
			continue // the request timed out mid-response: a server-side abort, not a hang
		}
		// 503 when etcd refused the request, 504 when it outlived the request timeout; a 500
		// would say "bug" where the truth is "try again".
		if code, err := strconv.Atoi(answer); err != nil || (code != 503 && code != 504) {
			t.Errorf("while etcd was down %d requests were answered %q, want only 503 or 504", n, answer)
		}
	}
	for answer, n := range before.Failures() {
		t.Errorf("before the fault %d requests failed: %s", n, answer)
	}

	// Every acknowledged write survived, in etcd itself and as the server lists them.
	stored := etcd.storedNames(t, ns)
	list, err := server.Client.ExampleV1().CronTabs(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	listed := map[string]bool{}
	for _, ct := range list.Items {
		listed[ct.Name] = true
	}
	if lost := loadcheck.Lost(stored, before, during, after); len(lost) > 0 {
		t.Errorf("%d acknowledged writes not in etcd, e.g. %v", len(lost), lost[:min(10, len(lost))])
	}
	if lost := loadcheck.Lost(listed, before, during, after); len(lost) > 0 {
		t.Errorf("%d acknowledged writes not listed, e.g. %v", len(lost), lost[:min(10, len(lost))])
	}
}
