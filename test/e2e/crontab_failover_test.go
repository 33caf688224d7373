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
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	"example.com/example-apiserver/pkg/schedule"
	"example.com/example-apiserver/test/e2e/framework"
)

const (
	controllerManager = "example-controller-manager"
	// The Lease the replicas elect their leader with, and the timing the stack leaves at the
	// defaults (--leader-elect-lease-duration, --leader-elect-retry-period).
	leaseNamespace, leaseName = "example-system", "example-controller-manager"
	leaseDuration             = 15 * time.Second
	leaseRetryPeriod          = 2 * time.Second
	// acquiredLease is what client-go's leader election logs when a candidate becomes leader.
	acquiredLease = "Successfully acquired lease"
)

// leaseHolder returns the identity holding the controllers' Lease; empty once released.
func leaseHolder() (string, error) {
	return stack.Kubectl("get", "lease", leaseName, "-n", leaseNamespace, "-o", "jsonpath={.spec.holderIdentity}")
}

// waitForLeaseHolder polls the Lease until its holder is neither empty nor one of not.
func waitForLeaseHolder(t *testing.T, what string, timeout time.Duration, not ...string) string {
	t.Helper()
	var holder string
	stack.Eventually(t, timeout, what, func() (bool, string) {
		out, err := leaseHolder()
		holder = out
		return err == nil && out != "" && !slices.Contains(not, out), "holder " + out
	})
	return holder
}

// logSays says whether a process's log holds text.
func logSays(t *testing.T, p *framework.Process, text string) bool {
	t.Helper()
	data, err := os.ReadFile(stack.LogPath(p.Name))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(data), text)
}

// TestCronTabControllerDowntimeAndFailover stops the stack's controller, so it runs alone
// (not in parallel): every other CronTab test needs a controller running. Replicas started
// here replace it; the last one stays for the tests that follow, and the stack stops it.
func TestCronTabControllerDowntimeAndFailover(t *testing.T) {
	stack.RequireLocal(t, "stops and starts example-controller-manager processes")
	ns := stack.Namespace(t, "e2e-ct-failover")
	stoppedLeader := waitForLeaseHolder(t, "the stack's controller leads", tickDeadline)
	staggered := staggeredNextRun(t, ns)
	if err := stack.StopComponent(controllerManager); err != nil {
		stack.Fatalf(t, "stopping %s: %v", controllerManager, err)
	}
	var replicas []*framework.Process
	t.Cleanup(func() {
		if slices.ContainsFunc(replicas, func(p *framework.Process) bool { return !p.Exited() }) {
			return
		}
		// Failed before a replica took over: the tests that follow still need a controller.
		if _, err := stack.StartComponent(controllerManager); err != nil {
			t.Errorf("restarting %s: %v", controllerManager, err)
		}
	})
	startReplica := func() *framework.Process {
		t.Helper()
		p, err := stack.StartComponent(controllerManager)
		if err != nil {
			stack.Fatalf(t, "starting a replica of %s: %v", controllerManager, err)
		}
		replicas = append(replicas, p)
		return p
	}

	// Downtime: run times pass with no controller. An interval schedule owes two of them in a
	// minute, where a cron schedule would need two minute boundaries.
	const catchUp, interval = "catch-up", 30 * time.Second
	ct := storeCronTab(t, &examplev1.CronTab{
		TypeMeta:   metav1.TypeMeta{APIVersion: examplev1.SchemeGroupVersion.String(), Kind: "CronTab"},
		ObjectMeta: metav1.ObjectMeta{Name: catchUp, Namespace: ns},
		Spec:       examplev1.CronTabSpec{CronSpec: fmt.Sprintf("@every %s", interval), Image: succeedingImage},
	})
	created := ct.CreationTimestamp.Time
	twoRunTimesPassed := created.Add(2*interval + 5*time.Second)
	waitForRuns(t, ns, catchUp, "two run times pass with no controller", time.Until(twoRunTimesPassed)+tickDeadline, func(s runState) bool {
		if len(s.jobs) > 0 {
			stack.Fatalf(t, "a run started with no controller: %s", s)
		}
		return time.Now().After(twoRunTimesPassed)
	})
	leader := startReplica()
	leaderIdentity := waitForLeaseHolder(t, "the restarted controller leads", leaseDuration+tickDeadline, stoppedLeader)

	state := waitForRuns(t, ns, catchUp, "the restarted controller records a catch-up run", tickDeadline, func(s runState) bool {
		return s.ct.Status.LastScheduleTime != nil
	})
	latest := state.ct.Status.LastScheduleTime.Time
	owed := latest.Sub(created) / interval
	if latest.Sub(created)%interval != 0 || owed < 2 {
		t.Errorf("status.lastScheduleTime %s: want a run time of %s from the creation at %s, the second or later", latest, interval, created)
	}
	var caughtUp []string
	for _, job := range state.jobs {
		if !scheduledTime(t, &job).After(latest) {
			caughtUp = append(caughtUp, job.Name)
		}
	}
	if want := crontabrun.JobName(catchUp, latest); !slices.Equal(caughtUp, []string{want}) {
		t.Errorf("runs for the downtime: want only the latest, %s; got %s", want, state)
	}
	missed, lastMissed := state.ct.Status.MissedRuns, state.ct.Status.LastMissedTime
	if missed != int64(owed)-1 || lastMissed == nil || !lastMissed.Time.Equal(latest.Add(-interval)) {
		t.Errorf("want the %d earlier run times counted missed, the last at %s; got %s", owed-1, latest.Add(-interval), state)
	}
	// Its later runs, every 30 s, would only add load to what follows.
	stack.MustKubectl(t, "delete", "crontab", catchUp, "-n", ns)

	// Failover: a standby joins; only the leader runs CronTabs until it is killed.
	standby := startReplica()
	const ha = "failover"
	storeCronTab(t, everyMinute(ns, ha, succeedingImage, func(spec *examplev1.CronTabSpec) {
		spec.SuccessfulJobsHistoryLimit = ptr.To[int32](10) // every run stays, to be counted
	}))
	state = waitForRuns(t, ns, ha, "the first run", firstRunDeadline, func(s runState) bool { return len(s.jobs) > 0 })
	first := scheduledTime(t, &state.jobs[0])
	if holder, err := leaseHolder(); err != nil || holder != leaderIdentity {
		stack.Fatalf(t, "the Lease moved from %s to %q (%v) while its holder ran", leaderIdentity, holder, err)
	}
	if logSays(t, standby, acquiredLease) {
		stack.Fatalf(t, "the standby %s acquired the Lease while the leader ran", standby.Name)
	}

	killed := time.Now()
	leader.Kill()
	// A killed leader does not release its Lease: the standby takes it once it expires, at its
	// next try (every retry period, jittered by up to 1.2 times), plus slack for a busy machine.
	waitForLeaseHolder(t, "the standby takes the Lease", leaseDuration+3*leaseRetryPeriod+10*time.Second, leaderIdentity)
	t.Logf("the standby took the Lease %s after the leader was killed", time.Since(killed).Round(time.Second))
	if !logSays(t, standby, acquiredLease) {
		stack.Fatalf(t, "the Lease changed hands, but not to the standby %s", standby.Name)
	}

	after := nextMinute(time.Now())
	state = waitForRuns(t, ns, ha, "a run by the new leader at "+after.UTC().Format(time.RFC3339), tickDeadline, func(s runState) bool {
		return s.ct.Status.LastScheduleTime != nil && !s.ct.Status.LastScheduleTime.Time.Before(after)
	})
	// One Job per minute from the first run to the latest: none lost to the failover (a run
	// time in the gap starts late), none started twice.
	last := state.ct.Status.LastScheduleTime.Time
	var got, want []string
	for _, job := range state.jobs {
		if !scheduledTime(t, &job).After(last) {
			got = append(got, job.Name)
		}
	}
	for at := first; !at.After(last); at = at.Add(time.Minute) {
		want = append(want, crontabrun.JobName(ha, at))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || state.ct.Status.MissedRuns != 0 {
		t.Errorf("want one run a minute from %s to %s, none missed: %v; got %s", first, last, want, state)
	}
	staggered.sameAfterRestart(t)
}

// staggeredCronTab is a daily v2 CronTab with a stagger window, its next run time as the
// stack's controller computed it.
type staggeredCronTab struct {
	ns, name string
	next     time.Time
}

const staggerWindow = 3600

// staggeredNextRun creates a daily CronTab with an hour's stagger window and checks that the
// controller moves its next run by the offset its UID gives, inside the window.
func staggeredNextRun(t *testing.T, ns string) staggeredCronTab {
	t.Helper()
	s := staggeredCronTab{ns: ns, name: "staggered"}
	stack.MustKubectlWithInput(t, []byte(fmt.Sprintf(`apiVersion: example.com/v2
kind: CronTab
metadata: {name: %s, namespace: %s}
spec:
  cronSpec: "0 0 * * *"
  staggerWindowSeconds: %d
  jobTemplate: {spec: {template: {spec: {containers: [{name: crontab, image: %s}]}}}}
`, s.name, ns, staggerWindow, succeedingImage)), "create", "-f", "-")
	state := waitForRuns(t, ns, s.name, "status.nextScheduleTime", tickDeadline, func(s runState) bool { return s.ct.Status.NextScheduleTime != nil })
	s.next = state.ct.Status.NextScheduleTime.Time
	nominal := s.next.Truncate(24 * time.Hour)
	offset := schedule.StaggerOffset(string(state.ct.UID), staggerWindow, nil)
	if !s.next.Equal(nominal.Add(offset)) || offset >= staggerWindow*time.Second {
		t.Errorf("status.nextScheduleTime %s: want midnight %s plus the offset of its UID, %s, inside the %d s window", s.next, nominal, offset, staggerWindow)
	}
	return s
}

// sameAfterRestart edits the CronTab through v1 by read-modify-write (kubectl replace) and
// checks that the controller now running keeps the field and computes the same next run.
func (s staggeredCronTab) sameAfterRestart(t *testing.T) {
	t.Helper()
	ct, out, err := getCronTab(s.ns, s.name)
	if err != nil {
		stack.Fatalf(t, "reading CronTab %s/%s as v1: %v\n%s", s.ns, s.name, err, out)
	}
	ct.Spec.SuccessfulJobsHistoryLimit = ptr.To[int32](4)
	stack.MustKubectlWithInput(t, mustYAML(t, ct), "replace", "-f", "-")
	if window := stack.MustKubectl(t, "get", "crontabs.v2.example.com", s.name, "-n", s.ns, "-o", "jsonpath={.spec.staggerWindowSeconds}"); window != fmt.Sprint(staggerWindow) {
		t.Errorf("after a v1 replace spec.staggerWindowSeconds is %q, want %d", window, staggerWindow)
	}
	state := waitForRuns(t, s.ns, s.name, "the restarted controller observes the edit", tickDeadline, func(rs runState) bool {
		return rs.ct.Status.ObservedGeneration == rs.ct.Generation && rs.ct.Generation > 1
	})
	if next := state.ct.Status.NextScheduleTime; next == nil || !next.Time.Equal(s.next) {
		t.Errorf("after a controller restart status.nextScheduleTime is %v, want %s as before", next, s.next)
	}
}
