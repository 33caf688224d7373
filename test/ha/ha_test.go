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

package ha

import (
	"context"
	"fmt"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/crontabrun"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
	"example.com/example-apiserver/test/loadcheck"
)

const (
	// writers create CronTabs through kube-apiserver, one request after another each.
	writers = 4
	// writeTimeout is what each write asks the server for (?timeout=).
	writeTimeout = 10 * time.Second
	// watchers watch them through kube-apiserver, each resuming from its last resourceVersion.
	watchers = 2
	// steadyWrites are the writes acknowledged after each step of a fault (the process down,
	// then back) before the next step: the proof that writes go on.
	steadyWrites = 40
	// recoveryTimeout bounds each wait for the stack to recover: a deadline, not a figure.
	recoveryTimeout = 90 * time.Second
	// dueCronTab runs every minute; the controller leader is killed just before one is due.
	dueCronTab = "every-minute"
	// killBeforeDue is how long before a run is due the controller leader is killed.
	killBeforeDue = 3 * time.Second
)

// row is one fault's line of the result table.
type row struct {
	fault    string
	acked    int
	failures map[string]int
	window   time.Duration
	resumes  int // watches opened again from their last resourceVersion
	recovery string
}

// run is the state the faults share: the load, the watches and the clients.
type run struct {
	t          *testing.T
	examples   clientset.Interface
	kube       kubernetes.Interface
	etcd       *etcdCluster
	runsNS     string // where dueCronTab runs
	load       *loadcheck.Outcome
	collectors []*loadcheck.Collector
}

// TestSurvivesLosingAnyOneProcess kills each kind of process of the HA shape in turn while
// CronTabs are written and watched through the aggregator, and checks that clients lost
// nothing: every acknowledged write is stored and delivered once to every watch, and the
// controller starts every run of a CronTab exactly once. It prints what clients saw of each
// fault (docs/reliability.md).
func TestSurvivesLosingAnyOneProcess(t *testing.T) {
	ns, runsNS := stack.Namespace(t, "ha-writes"), stack.Namespace(t, "ha-runs")
	config, err := stack.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	config.QPS, config.Burst = -1, -1 // no client-side throttling: the load is the point
	config.WarningHandler = rest.NoWarnings{}
	r := &run{t: t, etcd: newEtcdCluster(t), runsNS: runsNS, load: loadcheck.NewOutcome()}
	if r.examples, err = clientset.NewForConfig(config); err != nil {
		t.Fatal(err)
	}
	if r.kube, err = kubernetes.NewForConfig(config); err != nil {
		t.Fatal(err)
	}

	// Its runs are counted at the end: one Job a minute, whatever was killed meanwhile.
	ctx := t.Context()
	_, err = r.examples.ExampleV1().CronTabs(runsNS).Create(ctx, &examplev1.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: dueCronTab},
		Spec: examplev1.CronTabSpec{
			CronSpec: "* * * * *", Image: "busybox:1.36",
			SuccessfulJobsHistoryLimit: ptr.To[int32](100), FailedJobsHistoryLimit: ptr.To[int32](100),
		},
	}, metav1.CreateOptions{})
	if err != nil {
		stack.Fatalf(t, "creating CronTab %s: %v", dueCronTab, err)
	}

	list, err := r.examples.ExampleV1().CronTabs(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		stack.Fatalf(t, "listing CronTabs: %v", err)
	}
	for i := range watchers {
		c := loadcheck.Collect(ctx, fmt.Sprintf("watch-%d", i), r.examples, ns, list.ResourceVersion)
		r.collectors = append(r.collectors, c)
		defer c.Stop()
	}
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	waitLoad := loadcheck.CreateLoad(loadCtx, r.examples, ns, "w", writers, writeTimeout, r.load)
	r.waitWrites("writes flow before any fault")

	rows := []row{
		r.measure("etcd follower killed, restarted", r.killEtcdFollower),
		r.measure("etcd leader killed, restarted", r.killEtcdLeader),
		r.measure("each example-apiserver replica SIGKILLed in turn, restarted", r.killAPIServerReplicas),
		r.measure("controller leader killed while a run is due", r.killControllerLeader),
	}
	stopLoad()
	waitLoad()

	lost := r.checkStored(ns)
	watchSummary := r.checkWatches()
	runsSummary := r.checkRuns()
	printTable(t, rows, lost, watchSummary, runsSummary)
}

// measure runs one fault under the load and returns what the writers saw meanwhile.
func (r *run) measure(fault string, inject func() string) row {
	r.t.Helper()
	start, ackedBefore := time.Now(), r.load.AckedCount()
	recovery := inject()
	end := time.Now()
	r.t.Logf("%s (%s to %s): %s; load so far: %s", fault, start.Format(time.TimeOnly), end.Format(time.TimeOnly), recovery, r.load)
	return row{
		fault:    fault,
		acked:    r.load.AckedCount() - ackedBefore,
		failures: r.load.FailuresBetween(start, end),
		window:   r.load.ErrorWindow(start, end),
		resumes:  r.resumesBetween(start, end),
		recovery: recovery,
	}
}

func (r *run) resumesBetween(from, to time.Time) int {
	n := 0
	for _, c := range r.collectors {
		for _, at := range c.Resumes() {
			if !at.Before(from) && !at.After(to) {
				n++
			}
		}
	}
	return n
}

// waitWrites waits until steadyWrites more writes are acknowledged.
func (r *run) waitWrites(what string) {
	r.t.Helper()
	target := r.load.AckedCount() + steadyWrites
	stack.Eventually(r.t, recoveryTimeout, what, func() (bool, string) {
		return r.load.AckedCount() >= target, r.load.String()
	})
}

func (r *run) kill(component string) time.Time {
	r.t.Helper()
	if err := stack.KillComponent(component); err != nil {
		stack.Fatalf(r.t, "killing %s: %v", component, err)
	}
	return time.Now()
}

func (r *run) restart(component string) {
	r.t.Helper()
	if _, err := stack.RestartComponent(component); err != nil {
		stack.Fatalf(r.t, "restarting %s: %v", component, err)
	}
}

func (r *run) etcdLeader() string {
	r.t.Helper()
	var leader string
	stack.Eventually(r.t, recoveryTimeout, "the etcd members agree on a leader", func() (bool, string) {
		var why string
		leader, why = r.etcd.leader("")
		return leader != "", why
	})
	return leader
}

// restartEtcdMember starts a killed member again and waits until it caught up with the leader.
func (r *run) restartEtcdMember(member string) time.Duration {
	r.t.Helper()
	r.restart(member)
	restarted := time.Now()
	stack.Eventually(r.t, recoveryTimeout, member+" rejoined and caught up", func() (bool, string) {
		return r.etcd.caughtUp(member)
	})
	return time.Since(restarted)
}

// killEtcdFollower: the leader and the other follower keep a quorum; nothing should fail.
func (r *run) killEtcdFollower() string {
	leader := r.etcdLeader()
	follower := etcdMembers[slices.IndexFunc(etcdMembers, func(m string) bool { return m != leader })]
	r.kill(follower)
	r.waitWrites("writes go on with " + follower + " down")
	caughtUp := r.restartEtcdMember(follower)
	r.waitWrites("writes go on with " + follower + " back")
	return fmt.Sprintf("%s (a follower) caught up %.1fs after its restart", follower, caughtUp.Seconds())
}

// killEtcdLeader: the followers elect a new leader; writes in flight to the old one fail.
func (r *run) killEtcdLeader() string {
	leader := r.etcdLeader()
	killed := r.kill(leader)
	var newLeader string
	stack.Eventually(r.t, recoveryTimeout, "a new etcd leader after "+leader+" was killed", func() (bool, string) {
		var why string
		newLeader, why = r.etcd.leader(leader)
		return newLeader != "", why
	})
	elected := time.Since(killed)
	r.waitWrites("writes go on after " + leader + " was killed")
	caughtUp := r.restartEtcdMember(leader)
	r.waitWrites("writes go on with " + leader + " back")
	return fmt.Sprintf("%s led; %s elected within %.1fs; %s caught up %.1fs after its restart",
		leader, newLeader, elected.Seconds(), leader, caughtUp.Seconds())
}

// killAPIServerReplicas kills each replica in turn, as a node loss during a rolling update
// would: first the one carrying more of HAProxy's connections (the aggregator's open
// connection is likely among those cut), then, once it is back and HAProxy sends it traffic,
// the other, so that all traffic goes to the one just restarted.
func (r *run) killAPIServerReplicas() string {
	first := slices.MaxFunc(apiServerReplicas, func(a, b string) int {
		return connectionsTo(stack.Env[envKey(a, "PORT")]) - connectionsTo(stack.Env[envKey(b, "PORT")])
	})
	var recovery []string
	for _, replica := range []string{first, apiServerReplicas[1-slices.Index(apiServerReplicas, first)]} {
		connections := connectionsTo(stack.Env[envKey(replica, "PORT")])
		r.kill(replica)
		r.waitWrites("writes go on through the other replica after " + replica + " was killed")
		// As a pod whose container died leaves its Service's endpoints before a new one starts.
		stack.Eventually(r.t, recoveryTimeout, "HAProxy takes "+replica+" out", loadBalancerSays(replica, "DOWN"))
		r.restart(replica)
		restarted := time.Now()
		client := stack.ExampleAPIServerHTTPClient(r.t, nil)
		client.Timeout = 5 * time.Second // a replica that hangs must not eat the wait
		stack.Eventually(r.t, recoveryTimeout, replica+" ready again", func() (bool, string) {
			return apiServerReady(client, replica)
		})
		ready := time.Since(restarted)
		// As a rolling update waits for the new pod's endpoint to be ready before the next.
		stack.Eventually(r.t, recoveryTimeout, "HAProxy sends traffic to "+replica+" again", loadBalancerSays(replica, "UP"))
		recovery = append(recovery, fmt.Sprintf("%s (%d connections from HAProxy) ready %.1fs after its restart, in HAProxy's rotation after %.1fs",
			replica, connections, ready.Seconds(), time.Since(restarted).Seconds()))
	}
	r.waitWrites("writes go on with both replicas back")
	return strings.Join(recovery, "; then ")
}

// killControllerLeader kills the leading controller just before a run of dueCronTab is due:
// the standby must start that run, late, once the Lease expires, and nothing twice.
func (r *run) killControllerLeader() string {
	var leader string
	stack.Eventually(r.t, recoveryTimeout, "a controller replica leads", func() (bool, string) {
		var why string
		leader, why = controllerLeader()
		return leader != "", why
	})
	due := time.Now().Add(killBeforeDue + time.Second).Truncate(time.Minute).Add(time.Minute)
	// A wait for a moment of the clock, not for a condition: the run is due then.
	time.Sleep(time.Until(due.Add(-killBeforeDue)))
	r.kill(leader)
	job := crontabrun.JobName(dueCronTab, due)
	var lag time.Duration
	stack.Eventually(r.t, recoveryTimeout, "the standby starts run "+job, func() (bool, string) {
		got, err := r.kube.BatchV1().Jobs(r.runsNS).Get(context.Background(), job, metav1.GetOptions{})
		if err != nil {
			return false, err.Error()
		}
		lag = got.CreationTimestamp.Sub(due)
		return true, ""
	})
	r.restart(leader)
	r.waitWrites("writes go on after the controller failover")
	return fmt.Sprintf("%s led; the standby started the run due at %s %ds late (Lease expiry)", leader, due.UTC().Format("15:04:05"), int(lag.Seconds()))
}

// checkStored reads every CronTab back through the aggregator and reports the acknowledged
// writes missing.
func (r *run) checkStored(ns string) int {
	r.t.Helper()
	listed := map[string]bool{}
	opts := metav1.ListOptions{Limit: 500}
	for {
		list, err := r.examples.ExampleV1().CronTabs(ns).List(context.Background(), opts)
		if err != nil {
			stack.Fatalf(r.t, "listing CronTabs: %v", err)
		}
		for _, ct := range list.Items {
			listed[ct.Name] = true
		}
		if opts.Continue = list.Continue; opts.Continue == "" {
			break
		}
	}
	lost := loadcheck.Lost(listed, r.load)
	if len(lost) > 0 {
		r.t.Errorf("%d acknowledged writes lost, e.g. %v", len(lost), lost[:min(10, len(lost))])
	}
	return len(lost)
}

// checkWatches waits until every watch delivered every acknowledged write, then checks that
// each came once, in order, and nothing unwritten came.
func (r *run) checkWatches() string {
	r.t.Helper()
	acked := slices.Collect(maps.Values(r.load.Acked()))
	attempted := r.load.Attempted()
	var summary []string
	for _, c := range r.collectors {
		stack.Eventually(r.t, recoveryTimeout, c.Name+" delivers every acknowledged write", func() (bool, string) {
			check := c.Check(acked, attempted)
			return check.Missing == 0, check.String()
		})
		check := c.Check(acked, attempted)
		if !check.OK() {
			r.t.Errorf("%s: %s", c.Name, check)
		}
		errors, samples := c.Errors()
		r.t.Logf("%s: %s; errors %v; resumed at %v", c.Name, check, samples, c.Resumes())
		summary = append(summary, fmt.Sprintf("%s: %d events, %d resumes (errors: %s), %d gaps, %d duplicates",
			c.Name, len(c.Events()), len(c.Resumes()), formatCounts(errors), check.Missing, check.Duplicates))
	}
	return strings.Join(summary, "; ")
}

// checkRuns checks the runs of dueCronTab: one Job for each minute from its creation to its
// last, none twice, none missed.
func (r *run) checkRuns() string {
	r.t.Helper()
	ctx, ns := context.Background(), r.runsNS
	var ct *examplev1.CronTab
	var got []string
	var latest time.Time
	// The controller records a run in the sync after the one that created its Job.
	stack.Eventually(r.t, recoveryTimeout, "CronTab "+dueCronTab+" records its latest run", func() (bool, string) {
		jobs, err := r.kube.BatchV1().Jobs(ns).List(ctx, metav1.ListOptions{LabelSelector: "example.com/crontab=" + dueCronTab})
		if err != nil {
			return false, err.Error()
		}
		got, latest = nil, time.Time{}
		for _, job := range jobs.Items {
			got = append(got, job.Name)
			if scheduled, ok := crontabrun.ScheduledTime(&job); ok {
				latest = maxTime(latest, scheduled)
			}
		}
		if ct, err = r.examples.ExampleV1().CronTabs(ns).Get(ctx, dueCronTab, metav1.GetOptions{}); err != nil {
			return false, err.Error()
		}
		recorded := ct.Status.LastScheduleTime
		return recorded != nil && recorded.Time.Equal(latest), fmt.Sprintf("Jobs %v, status %+v", got, ct.Status)
	})
	// Every minute from the first after its creation to the latest run.
	var want []string
	first := ct.CreationTimestamp.Truncate(time.Minute).Add(time.Minute)
	for at := first; !at.After(latest); at = at.Add(time.Minute) {
		want = append(want, crontabrun.JobName(dueCronTab, at))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || ct.Status.MissedRuns != 0 {
		r.t.Errorf("CronTab %s: want one run a minute from %s to %s, none missed: %v; got %v, %d missed",
			dueCronTab, first.UTC().Format(time.TimeOnly), latest.UTC().Format(time.TimeOnly), want, got, ct.Status.MissedRuns)
	}
	return fmt.Sprintf("%d run(s) due from %s to %s, %d started, %d missed", len(want),
		first.UTC().Format("15:04"), latest.UTC().Format("15:04"), len(got), ct.Status.MissedRuns)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func formatCounts(counts map[string]int) string {
	if len(counts) == 0 {
		return "none"
	}
	var parts []string
	for _, key := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d× %s", counts[key], key))
	}
	return strings.Join(parts, ", ")
}

// printTable prints the figures on standard output (make test-ha shows them), with the
// machine they were measured on.
func printTable(t *testing.T, rows []row, lost int, watches, runs string) {
	t.Helper()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "\nHA shape: 3 etcd members, 2 example-apiservers behind HAProxy, 2 controllers; %d writers and %d watchers through kube-apiserver (%s, %d CPUs)\n",
		writers, watchers, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintln(w, "fault\twrites acked\tfailed writes\terror window\twatch resumes\trecovery")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%d\t%s\t%.2fs\t%d\t%s\n", r.fault, r.acked, formatCounts(r.failures), r.window.Seconds(), r.resumes, r.recovery)
	}
	w.Flush()
	fmt.Printf("acknowledged writes lost: %d\nwatches: %s\nCronTab runs: %s\n\n", lost, watches, runs)
	for _, r := range rows {
		for answer := range r.failures {
			if strings.HasPrefix(answer, "4") || answer == "500" {
				t.Errorf("%s: writes answered %s, a client error or a bug where the truth is \"try again\"", r.fault, answer)
			}
		}
	}
}
