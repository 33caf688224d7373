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

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	watchtools "k8s.io/client-go/tools/watch"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	examplev2 "example.com/example-apiserver/pkg/apis/example/v2"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// The herd runs at equal client limits unless told otherwise: its goals compare the two
// controllers, as the every-minute scenario's at equal limits do.
const herdQPS, herdBurst = 300, 600

// The benchmark arranges the herd's minute before creating its objects (the cron expression
// names it), from the rate of herdCalibration creates of objects that are never due in a run,
// herdCreateWorkers at once, with herdCreateMargin for a machine shared with others slowing
// down unannounced.
const (
	herdCreateWorkers = 32
	herdCalibration   = 256
	herdCreateMargin  = 1.5
	// herdNeverDue is the calibration objects' schedule: January 1st, not in a run's minutes.
	herdNeverDue = "0 0 1 1 *"
)

type herdOptions struct {
	enabled bool
	n       int
	// stagger is the CronTabs' spec.staggerWindowSeconds; zero leaves it unset.
	stagger  time.Duration
	cronJobs bool
	drain    time.Duration
}

func (h *herdOptions) flags(fs *flag.FlagSet) {
	fs.BoolVar(&h.enabled, "herd", false, "the herd instead of every minute: -herd-n CronTabs all due in one minute, then as many CronJobs all due in a later one, at equal client limits (-kube-api-qps/-kube-api-burst, default 300/600)")
	fs.IntVar(&h.n, "herd-n", 5000, "CronTabs of the herd, and as many CronJobs")
	fs.DurationVar(&h.stagger, "herd-stagger", 0, "the herd's spec.staggerWindowSeconds (example.com/v2), whole seconds; 0: unset")
	fs.BoolVar(&h.cronJobs, "herd-cronjobs", true, "run the CronJob side of the herd too (false: the CronTab side alone)")
	fs.DurationVar(&h.drain, "herd-drain", 5*time.Minute, "how long after its minute (and stagger window) a side's runs may take to be created and finish")
}

// herdRun is what the controller benchmark's setup hands the herd.
type herdRun struct {
	s             *stack
	kcm           *cronJobController
	cronTabPID    int
	cronTabClient clientset.Interface
	kube          kubernetes.Interface
	seen          *jobsSeen
}

// herdReport is one run of the herd, printed and appended as a JSON line.
type herdReport struct {
	Date             string              `json:"date"`
	Commit           string              `json:"commit"`
	CPUs             int                 `json:"cpus"`
	N                int                 `json:"n"`
	Limits           string              `json:"limits"`
	Flags            map[string][]string `json:"flags"`
	StaggerSeconds   int64               `json:"stagger_seconds,omitempty"`
	Sides            []herdSide          `json:"sides"`
	WatchDelay       latency             `json:"watch_delay"`
	Goals            []goal              `json:"goals"`
	ScenarioDuration float64             `json:"scenario_seconds"`
}

// herdSide is what one controller did with its herd.
type herdSide struct {
	Side    string    `json:"side"`
	Process string    `json:"process"`
	Minute  time.Time `json:"minute"`
	// Lag is each run's scheduled time (its staggered time, with a stagger window) → its
	// Job's ADDED event.
	Lag latency `json:"lag"`
	// AllJobsSeconds is the minute → the last Job's ADDED event; zero when runs were missed.
	AllJobsSeconds float64 `json:"all_jobs_seconds"`
	Expected       int     `json:"expected"`
	Missed         int     `json:"missed"`
	// StatusLag is, for CronTabs, each run's scheduled time → the event that first shows
	// its status.lastScheduleTime.
	StatusLag *latency `json:"status_lag,omitempty"`
	// The window is from 1 s before the minute until every run's Job exists and finished
	// (and, for CronTabs, every status shows its run), at most the drain.
	WindowSeconds     float64            `json:"window_seconds"`
	CPUSeconds        float64            `json:"cpu_seconds"`
	RunsInWindow      int                `json:"runs_in_window"`
	CPUmsPerRun       float64            `json:"cpu_ms_per_run"`
	ServerCPUSeconds  map[string]float64 `json:"server_cpu_seconds"`
	PeakServerCores   float64            `json:"peak_server_cores"`
	ForeignCPUSeconds float64            `json:"foreign_cpu_seconds"`
	LoadBefore        [3]float64         `json:"load_before"`
	LoadAfter         [3]float64         `json:"load_after"`
}

// peakWindow is how long the API servers' CPU is averaged over for their peak load: long
// enough that a second's scheduling noise does not set it.
const peakWindow = 5 * time.Second

// benchmarkHerd runs the herd: the CronTabs' minute first, then the CronJobs', each side's
// objects created just before their minute so the other side's herd is over.
func benchmarkHerd(ctx context.Context, o controllerOptions, base controllerReport, h *herdRun) error {
	begin := time.Now()
	rep := herdReport{CPUs: base.CPUs, Commit: base.Commit, N: o.herd.n, Limits: base.Limits, Flags: base.Flags,
		StaggerSeconds: int64(o.herd.stagger / time.Second)}
	ours, err := h.side(ctx, o, cronTabSide)
	if err != nil {
		return err
	}
	rep.Sides = append(rep.Sides, ours)
	if o.herd.cronJobs {
		theirs, err := h.side(ctx, o, cronJobSide)
		if err != nil {
			return err
		}
		rep.Sides = append(rep.Sides, theirs)
	}
	rep.WatchDelay = summarize(h.seen.probeDelays())
	rep.ScenarioDuration = time.Since(begin).Seconds()
	rep.Date = time.Now().UTC().Format(time.RFC3339)
	rep.goals()
	rep.print(os.Stdout)
	results := strings.TrimSuffix(o.results, ".jsonl") + "-herd.jsonl"
	if err := appendJSONLine(results, rep); err != nil {
		return err
	}
	logf("appended to %s", results)
	return nil
}

// side creates one side's herd, all due in the first minute the creates leave room for,
// and measures it until its runs exist and finished.
func (h *herdRun) side(ctx context.Context, o controllerOptions, side string) (herdSide, error) {
	n, stagger := o.herd.n, o.herd.stagger.Truncate(time.Second)
	r := herdSide{Side: side, Process: cronTabProcess, Expected: n, ServerCPUSeconds: map[string]float64{}}
	namespace, pid := cronTabNamespace, h.cronTabPID
	if side == cronJobSide {
		r.Process, namespace, pid = cronJobProcess, cronJobNamespace, h.kcm.cmd.Process.Pid
	}
	create := func(name, cronSpec string) error {
		if side == cronTabSide {
			_, err := h.cronTabClient.ExampleV2().CronTabs(namespace).Create(ctx, herdCronTab(name, cronSpec, o.image, stagger), metav1.CreateOptions{})
			return err
		}
		cj := cronJob(name, cronSpec, o.image)
		cj.Spec.TimeZone = ptr.To("Etc/UTC") // the CronTabs' zone, whatever the machine's
		_, err := h.kube.BatchV1().CronJobs(namespace).Create(ctx, cj, metav1.CreateOptions{})
		return err
	}
	calibration := runPhase(min(n, herdCalibration), herdCreateWorkers, func(i int) error {
		return create(fmt.Sprintf("calibration-%05d", i), herdNeverDue)
	})
	if calibration.Errors > 0 {
		return r, fmt.Errorf("%s herd: %d calibration create errors, e.g. %s", side, calibration.Errors, calibration.FirstError)
	}
	budget := time.Duration(herdCreateMargin * float64(n) / calibration.PerSec * float64(time.Second))
	minute := time.Now().Add(budget + o.settle).Truncate(time.Minute).Add(time.Minute)
	r.Minute = minute
	cronSpec := fmt.Sprintf("%d * * * *", minute.Minute())

	var statuses *statusesSeen
	if side == cronTabSide {
		var err error
		if statuses, err = watchStatuses(ctx, h.cronTabClient, namespace); err != nil {
			return r, err
		}
	}
	logf("%s herd: creating %d on %q (due %s UTC, stagger window %s; calibration creates ran at %.0f/s)", side, n, cronSpec, minute.UTC().Format("15:04"), stagger, calibration.PerSec)
	created := runPhase(n, herdCreateWorkers, func(i int) error { return create(fmt.Sprintf("herd-%05d", i), cronSpec) })
	if created.Errors > 0 {
		return r, fmt.Errorf("%s herd: %d create errors, e.g. %s", side, created.Errors, created.FirstError)
	}
	if left := time.Until(minute); left < 5*time.Second {
		return r, fmt.Errorf("%s herd: the creates took %.0fs, leaving %s before the minute they name; raise -settle (the machine slowed down)", side, created.Seconds, left.Round(time.Second))
	}
	logf("%s herd: created in %.1fs; the herd is due at %s", side, created.Seconds, minute.Format("15:04:05"))

	windowStart := minute.Add(-time.Second)
	deadline := minute.Add(stagger + o.herd.drain)
	time.Sleep(time.Until(windowStart))
	probeCtx, stopProbes := context.WithCancel(ctx)
	defer stopProbes()
	go probeWatch(probeCtx, h.kube, h.seen, deadline)
	r.LoadBefore = loadAverage()
	sampler := h.sampleServers(pid)
	busyBefore, ownBefore := machineBusySeconds(), h.s.allCPUSeconds(h.kcm.cmd.Process.Pid)
	done := func() bool {
		runs := h.seen.runs(namespace, minute, minute.Add(stagger))
		if len(runs) < n {
			return false
		}
		for _, j := range runs {
			if j.finished.IsZero() {
				return false
			}
		}
		return statuses == nil || statuses.count() >= n
	}
	for time.Now().Before(deadline) && !done() {
		time.Sleep(time.Second)
	}
	samples := sampler.stop()
	stopProbes()
	windowEnd := time.Now()
	r.LoadAfter = loadAverage()
	r.ForeignCPUSeconds = max(0, (machineBusySeconds()-busyBefore)-(h.s.allCPUSeconds(h.kcm.cmd.Process.Pid)-ownBefore))
	r.WindowSeconds = windowEnd.Sub(windowStart).Seconds()

	runs := h.seen.runs(namespace, minute, minute.Add(stagger))
	lags := make([]time.Duration, 0, len(runs))
	var last time.Time
	for _, j := range runs {
		lags = append(lags, j.at.Sub(j.scheduled))
		if j.at.After(last) {
			last = j.at
		}
	}
	r.Lag = summarize(lags)
	r.Missed = n - len(runs)
	if r.Missed == 0 {
		r.AllJobsSeconds = last.Sub(minute).Seconds()
	}
	if statuses != nil {
		r.StatusLag = ptr.To(summarize(statuses.lags()))
	}
	r.RunsInWindow = h.seen.addedBetween(namespace, windowStart, windowEnd)
	first, final := samples[0], samples[len(samples)-1]
	r.CPUSeconds = final.controller - first.controller
	if r.RunsInWindow > 0 {
		r.CPUmsPerRun = r.CPUSeconds * 1000 / float64(r.RunsInWindow)
	}
	for name, cpu := range final.servers {
		r.ServerCPUSeconds[name] = cpu - first.servers[name]
	}
	r.PeakServerCores = peakCores(samples, peakWindow)
	logf("%s herd: %d of %d runs created, the last %.1fs after the minute; window %.0fs", side, len(runs), n, last.Sub(minute).Seconds(), r.WindowSeconds)
	return r, nil
}

// herdCronTab is a CronTab whose runs are what the herd's CronJobs start.
func herdCronTab(name, cronSpec, image string, stagger time.Duration) *examplev2.CronTab {
	ct := &examplev2.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: examplev2.CronTabSpec{
			CronSpec: cronSpec,
			JobTemplate: batchv1.JobTemplateSpec{Spec: batchv1.JobSpec{
				Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: example.ContainerName, Image: image}},
				}},
			}},
		},
	}
	if stagger > 0 {
		ct.Spec.StaggerWindowSeconds = ptr.To(int64(stagger / time.Second))
	}
	return ct
}

// runs are namespace's Jobs scheduled from first to last.
func (s *jobsSeen) runs(namespace string, first, last time.Time) []seenJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	var runs []seenJob
	for _, j := range s.added[namespace] {
		if !j.scheduled.Before(first) && !j.scheduled.After(last) {
			runs = append(runs, j)
		}
	}
	return runs
}

// statusesSeen is when the benchmark's watch first saw each CronTab's status record a run.
type statusesSeen struct {
	mu     sync.Mutex
	byName map[string]time.Duration
}

// watchStatuses watches namespace's CronTabs from now on for the first event of each that
// shows a status.lastScheduleTime.
func watchStatuses(ctx context.Context, client clientset.Interface, namespace string) (*statusesSeen, error) {
	cronTabs := client.ExampleV1().CronTabs(namespace)
	list, err := cronTabs.List(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return nil, err
	}
	w, err := watchtools.NewRetryWatcherWithContext(ctx, list.ResourceVersion, &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, options metav1.ListOptions) (watch.Interface, error) {
			return cronTabs.Watch(ctx, options)
		},
	})
	if err != nil {
		return nil, err
	}
	seen := &statusesSeen{byName: map[string]time.Duration{}}
	go eachEvent(ctx, w, func(event watch.Event, at time.Time) {
		ct, isCronTab := event.Object.(*examplev1.CronTab)
		if !isCronTab || ct.Status.LastScheduleTime == nil {
			return
		}
		seen.mu.Lock()
		if _, dup := seen.byName[ct.Name]; !dup {
			seen.byName[ct.Name] = at.Sub(ct.Status.LastScheduleTime.Time)
		}
		seen.mu.Unlock()
	})
	return seen, nil
}

func (s *statusesSeen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byName)
}

func (s *statusesSeen) lags() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	lags := make([]time.Duration, 0, len(s.byName))
	for _, l := range s.byName {
		lags = append(lags, l)
	}
	return lags
}

// cpuSample is the CPU-seconds of the servers and of the measured controller at one instant.
type cpuSample struct {
	at         time.Time
	servers    map[string]float64
	controller float64
}

type sampler struct {
	stopOnce chan struct{}
	done     chan []cpuSample
}

// sampleServers reads the servers' and the controller's CPU every second until stop.
func (h *herdRun) sampleServers(controllerPID int) *sampler {
	sm := &sampler{stopOnce: make(chan struct{}), done: make(chan []cpuSample, 1)}
	read := func() cpuSample {
		sample := cpuSample{at: time.Now(), servers: map[string]float64{}, controller: processCPU(controllerPID)}
		for name, st := range h.s.snapshot() {
			if name != benchClient {
				sample.servers[name] = st.CPUSeconds
			}
		}
		return sample
	}
	samples := []cpuSample{read()}
	go func() {
		ticker := time.NewTicker(time.Second)
		defer ticker.Stop()
		for {
			select {
			case <-sm.stopOnce:
				sm.done <- append(samples, read())
				return
			case <-ticker.C:
				samples = append(samples, read())
			}
		}
	}()
	return sm
}

func (sm *sampler) stop() []cpuSample {
	close(sm.stopOnce)
	return <-sm.done
}

// apiServers are the processes whose load the herd puts on the control plane.
var apiServers = []string{"kube-apiserver", "example-apiserver"}

// peakCores is the highest CPU, in cores, the API servers together used over any window of
// the samples.
func peakCores(samples []cpuSample, window time.Duration) float64 {
	total := func(s cpuSample) float64 {
		var t float64
		for _, name := range apiServers {
			t += s.servers[name]
		}
		return t
	}
	var peak float64
	for i, j := 0, 0; j < len(samples); j++ {
		for samples[j].at.Sub(samples[i].at) > window {
			i++
		}
		if elapsed := samples[j].at.Sub(samples[i].at).Seconds(); elapsed >= window.Seconds()/2 {
			peak = max(peak, (total(samples[j])-total(samples[i]))/elapsed)
		}
	}
	return peak
}

func (rep *herdReport) goals() {
	met := func(b bool) *bool { return &b }
	ours := rep.Sides[0]
	rep.Goals = append(rep.Goals, goal{
		Goal:     fmt.Sprintf("herd of %d: no CronTab run missed", rep.N),
		Measured: fmt.Sprintf("%d of %d missed", ours.Missed, ours.Expected),
		Met:      met(ours.Missed == 0),
	})
	if len(rep.Sides) < 2 {
		return
	}
	theirs := rep.Sides[1]
	allJobs, ratio := "n/a", "n/a"
	var allJobsMet, lagMet *bool
	if theirs.Missed == 0 && ours.Missed == 0 {
		allJobs = fmt.Sprintf("%.2f× (%.1f s, CronJob %.1f s)", ours.AllJobsSeconds/theirs.AllJobsSeconds, ours.AllJobsSeconds, theirs.AllJobsSeconds)
		allJobsMet = met(ours.AllJobsSeconds <= 0.5*theirs.AllJobsSeconds)
	} else if ours.Missed == 0 {
		// The CronJob side never finished: its time is at least the drain.
		allJobs = fmt.Sprintf("%.1f s, CronJob missed %d runs", ours.AllJobsSeconds, theirs.Missed)
		allJobsMet = met(true)
	}
	if theirs.Lag.P99ms > 0 {
		ratio = fmt.Sprintf("%.2f× (p99 %.2f s, CronJob %.2f s)", ours.Lag.P99ms/theirs.Lag.P99ms, ours.Lag.P99ms/1000, theirs.Lag.P99ms/1000)
		lagMet = met(ours.Missed == 0 && ours.Lag.P99ms <= 0.5*theirs.Lag.P99ms)
	}
	if rep.StaggerSeconds > 0 {
		// A stagger window spreads the runs on purpose: the comparison is the unstaggered herd's.
		allJobsMet, lagMet = nil, nil
	}
	rep.Goals = append(rep.Goals,
		goal{Goal: fmt.Sprintf("herd at equal client limits (%s): all Jobs created ≤ 0.5× the CronJob controller's time", rep.Limits), Measured: allJobs, Met: allJobsMet},
		goal{Goal: "herd: CronTab lag p99 ≤ 0.5× the CronJob controller's", Measured: ratio, Met: lagMet},
	)
}

func (rep *herdReport) print(w io.Writer) {
	stagger := "none"
	if rep.StaggerSeconds > 0 {
		stagger = fmt.Sprintf("%d s", rep.StaggerSeconds)
	}
	fmt.Fprintf(w, "\nherd benchmark %s (commit %s): %d CronTabs due in one minute, then %d CronJobs in a later one; client limits %s; CronTab stagger window %s; %d CPUs; %.0f s\n",
		rep.Date, rep.Commit, rep.N, rep.N, rep.Limits, stagger, rep.CPUs, rep.ScenarioDuration)
	for _, process := range []string{cronTabProcess, cronJobProcess} {
		fmt.Fprintf(w, "  %s %s\n", process, strings.Join(rep.Flags[process], " "))
	}
	fmt.Fprintln(w, "\nruns: lag = a run's scheduled time → its Job's ADDED event, seconds; all = the minute → the last Job")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "side\tminute\tJobs\tp50\tp99\tmax\tall\tstatus p50\tstatus p99\tstatus max\t")
	for _, r := range rep.Sides {
		status := "-\t-\t-"
		if r.StatusLag != nil {
			status = fmt.Sprintf("%.2f\t%.2f\t%.2f", r.StatusLag.P50ms/1000, r.StatusLag.P99ms/1000, r.StatusLag.MaxMs/1000)
		}
		all := "missed"
		if r.Missed == 0 {
			all = fmt.Sprintf("%.2f", r.AllJobsSeconds)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%.2f\t%.2f\t%.2f\t%s\t%s\t\n", r.Side, r.Minute.UTC().Format("15:04"), r.Lag.N, r.Expected,
			r.Lag.P50ms/1000, r.Lag.P99ms/1000, r.Lag.MaxMs/1000, all, status)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  status = a CronTab run's scheduled time → the first event showing its status.lastScheduleTime\n")
	fmt.Fprintf(w, "  the watch itself (probe Job create sent → ADDED seen, %d probes): p50 %.0f ms, p99 %.0f ms, max %.0f ms\n\n",
		rep.WatchDelay.N, rep.WatchDelay.P50ms, rep.WatchDelay.P99ms, rep.WatchDelay.MaxMs)

	fmt.Fprintf(w, "CPU from 1 s before the minute until every run exists and finished (and, for CronTabs, its status shows it)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "side\twindow s\tcontroller CPU-s\tJobs\tms/run\tkube-apiserver CPU-s\texample-apiserver CPU-s\tetcd CPU-s\tAPI servers' peak %s, cores\tothers' CPU-s\tload\t\n", peakWindow)
	for _, r := range rep.Sides {
		fmt.Fprintf(tw, "%s\t%.0f\t%.1f\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t%.2f\t%.0f\t%.1f→%.1f\t\n", r.Side, r.WindowSeconds, r.CPUSeconds, r.RunsInWindow, r.CPUmsPerRun,
			r.ServerCPUSeconds["kube-apiserver"], r.ServerCPUSeconds["example-apiserver"], r.ServerCPUSeconds["etcd"], r.PeakServerCores,
			r.ForeignCPUSeconds, r.LoadBefore[0], r.LoadAfter[0])
	}
	_ = tw.Flush()
	printGoals(w, "goals", rep.Goals)
	fmt.Fprintln(w)
}
