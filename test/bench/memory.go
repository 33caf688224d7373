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
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/rest"

	"example.com/example-apiserver/test/localstack"
)

// `bench memory` (make bench-memory) measures the memory goals on a local stack, CronTabs
// on example-apiserver's own port against the CronTab CRD on kube-apiserver, with the same
// dynamic client and equal writes, once without example-controller-manager (the servers
// compared on equal writes) and once with it (what users run: it writes every new CronTab's
// status), each on a fresh stack:
//  1. memory comes back: anonymous RSS before a churn of creates and deletes and after a
//     quiet period that follows it;
//  2. live heap per stored object: go_gc_heap_live_bytes with M objects stored in each
//     server minus the figure just before, per object, beside the object's size in etcd.

const (
	exampleServer = "example-apiserver"
	kubeServer    = "kube-apiserver"
	// memoryNamespace holds the churned and the stored objects of both servers.
	memoryNamespace = "bench-memory"
)

type memoryOptions struct {
	cycles, k, objects, c int
	quiet, settle         time.Duration
	stackDir, results     string
	profileDir            string
	keep                  bool
	controller            string
}

func memoryCommand(fs *flag.FlagSet) func() error {
	o := &memoryOptions{}
	fs.IntVar(&o.cycles, "cycles", 3, "churn cycles; each creates -k objects in a server and deletes them one by one, example-apiserver's and the CRD's interleaved")
	fs.IntVar(&o.k, "k", 5000, "objects created and deleted per cycle and server")
	fs.DurationVar(&o.quiet, "quiet", 120*time.Second, "quiet after the churn before memory is read again")
	fs.IntVar(&o.objects, "objects", 20000, "objects stored in each server for the live heap per object; 0 skips it")
	fs.DurationVar(&o.settle, "settle", 20*time.Second, "quiet after storing the objects before the heap is read")
	fs.IntVar(&o.c, "c", 16, "concurrent workers")
	fs.StringVar(&o.stackDir, "stack-dir", "", "the local stack's directory: reused if it runs (then example-apiserver is not fresh and the report says so), else brought up there and taken down at the end (default _output/bench/memory-stack)")
	fs.StringVar(&o.results, "results", "", "JSON lines file the run is appended to (default _output/bench/memory-results.jsonl)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "if set, example-apiserver's heap profiles (after a GC) at each reading go to this directory")
	fs.BoolVar(&o.keep, "keep", false, "leave the last stack the benchmark brought up running")
	fs.StringVar(&o.controller, "controller", "both", "example-controller-manager on the stack: without, with, or both (two fresh stacks, one after the other); a reused stack is measured as it runs")
	return func() error { return benchmarkMemory(*o) }
}

// memoryReading is one server's memory at one moment.
type memoryReading struct {
	RSSBytes  int64 `json:"rss_bytes"`
	AnonBytes int64 `json:"anon_rss_bytes"`
	// HeapLiveBytes is go_gc_heap_live_bytes right after a forced GC: what the heap holds.
	HeapLiveBytes int64 `json:"heap_live_bytes"`
}

// memoryReport is one run of the memory benchmark, printed and appended as a JSON line.
type memoryReport struct {
	Date       string     `json:"date"`
	Commit     string     `json:"commit"`
	CPUs       int        `json:"cpus"`
	LoadBefore [3]float64 `json:"load_before"`
	LoadAfter  [3]float64 `json:"load_after"`
	// ExampleFlags are the EXAMPLE_APISERVER_EXTRA_FLAGS and GOMEMLIMIT the stack ran
	// example-apiserver with, for A/B runs.
	ExampleFlags string `json:"example_apiserver_extra_flags"`
	GoMemLimit   string `json:"gomemlimit"`
	Fresh        bool   `json:"fresh"`
	// Controller says example-controller-manager ran on the stack, writing every new
	// CronTab's status.
	Controller   bool    `json:"controller"`
	Cycles       int     `json:"cycles"`
	K            int     `json:"k"`
	QuietSeconds float64 `json:"quiet_seconds"`
	Objects      int     `json:"objects"`
	// Before, AfterQuiet and WithObjects are each server's memory before the churn, after the
	// quiet, and with Objects stored (after settling).
	Before      map[string]memoryReading `json:"before_churn"`
	AfterQuiet  map[string]memoryReading `json:"after_quiet"`
	WithObjects map[string]memoryReading `json:"with_objects,omitempty"`
	// HeapPerObject is the live heap each stored object added; StoredBytes its size in etcd.
	HeapPerObject map[string]float64 `json:"heap_bytes_per_object,omitempty"`
	StoredBytes   map[string]int     `json:"stored_bytes"`
	// ChurnSeconds is the churn's wall time; ForeignCPUSeconds what other processes took
	// of the machine during the whole run.
	ChurnSeconds      float64 `json:"churn_seconds"`
	ForeignCPUSeconds float64 `json:"foreign_cpu_seconds"`
	WallSeconds       float64 `json:"wall_seconds"`
	Goals             []goal  `json:"goals"`
}

// memoryRun is one `bench memory`: a report per stack, appended as one JSON line whose
// goals are both stacks'.
type memoryRun struct {
	Date    string         `json:"date"`
	Commit  string         `json:"commit"`
	Goals   []goal         `json:"goals"`
	Reports []memoryReport `json:"reports"`
}

func benchmarkMemory(o memoryOptions) error {
	root, err := localstack.RepoRoot()
	if err != nil {
		return err
	}
	if o.stackDir == "" {
		o.stackDir = filepath.Join(root, "_output", "bench", "memory-stack")
	}
	if o.results == "" {
		o.results = filepath.Join(root, "_output", "bench", "memory-results.jsonl")
	}
	if o.profileDir != "" {
		if err := os.MkdirAll(o.profileDir, 0o755); err != nil {
			return err
		}
	}
	modes := map[string][]bool{"without": {false}, "with": {true}, "both": {false, true}}[o.controller]
	if modes == nil {
		return fmt.Errorf("-controller %q: want without, with or both", o.controller)
	}
	run := memoryRun{Date: time.Now().UTC().Format(time.RFC3339), Commit: gitDescribe(root)}
	for i, controller := range modes {
		rep, err := measureMemory(root, o, controller, o.keep && i == len(modes)-1)
		if err != nil {
			return err
		}
		rep.print(os.Stdout)
		run.Reports = append(run.Reports, rep)
		run.Goals = append(run.Goals, rep.Goals...)
		if !rep.Fresh {
			logf("the stack in %s was reused: measured only as it runs (controller %v)", o.stackDir, rep.Controller)
			break
		}
	}
	if len(run.Reports) > 1 {
		printGoals(os.Stdout, "goals, without and with example-controller-manager", run.Goals)
	}
	if err := appendJSONLine(o.results, run); err != nil {
		return err
	}
	logf("appended to %s", o.results)
	return nil
}

// measureMemory runs the churn and the stored objects on one stack, with or without
// example-controller-manager, and keeps that stack running if keep.
func measureMemory(root string, o memoryOptions, controller, keep bool) (rep memoryReport, err error) {
	var env []string
	if !controller {
		env = append(env, withoutController)
	}
	s, err := openStack(root, o.stackDir, env...)
	if err != nil {
		return rep, err
	}
	clients, err := s.connect(root)
	defer s.release(clients, keep, &err)
	if err != nil {
		return rep, err
	}
	if !s.ours {
		controller = s.controllerRuns()
	}
	ctx := context.Background()
	kubeConfig, directConfig, kube, etcdClient := clients.kubeConfig, clients.directConfig, clients.kube, clients.etcd
	example, err := newDynamicTarget(exampleServer, directConfig, cronTabs)
	if err != nil {
		return rep, err
	}
	crdTarget, err := newDynamicTarget(kubeServer, kubeConfig, crd)
	if err != nil {
		return rep, err
	}
	servers := []*dynamicTarget{example, crdTarget}
	configs := map[string]*rest.Config{exampleServer: directConfig, kubeServer: kubeConfig}
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: memoryNamespace}}, metav1.CreateOptions{}); err != nil {
		return rep, err
	}
	defer func() { _ = kube.CoreV1().Namespaces().Delete(ctx, memoryNamespace, metav1.DeleteOptions{}) }()

	rep = memoryReport{
		Date: time.Now().UTC().Format(time.RFC3339), Commit: gitDescribe(root), CPUs: runtime.NumCPU(),
		ExampleFlags: os.Getenv("EXAMPLE_APISERVER_EXTRA_FLAGS"), GoMemLimit: os.Getenv("GOMEMLIMIT"), Fresh: s.ours, Controller: controller,
		Cycles: o.cycles, K: o.k, QuietSeconds: o.quiet.Seconds(), Objects: o.objects,
		StoredBytes: map[string]int{},
		LoadBefore:  loadAverage(),
	}
	start, busyBefore, stackBefore := time.Now(), machineBusySeconds(), s.stackCPUSeconds()
	read := func(label string) (map[string]memoryReading, error) {
		readings := map[string]memoryReading{}
		for _, t := range servers {
			r, err := readMemory(ctx, s, t.Name(), configs[t.Name()], o.profileDir, label)
			if err != nil {
				return nil, err
			}
			readings[t.Name()] = r
		}
		logf("%s: example-apiserver anon %s heap %s; kube-apiserver anon %s heap %s", label,
			mib(readings[exampleServer].AnonBytes), mib(readings[exampleServer].HeapLiveBytes),
			mib(readings[kubeServer].AnonBytes), mib(readings[kubeServer].HeapLiveBytes))
		return readings, nil
	}

	time.Sleep(settle)
	if rep.Before, err = read("before-churn"); err != nil {
		return rep, err
	}
	churnStart := time.Now()
	for cycle := 1; cycle <= o.cycles; cycle++ {
		for _, t := range servers {
			if err := storeAndDelete(ctx, t, o.k, o.c, true); err != nil {
				return rep, fmt.Errorf("churn cycle %d: %w", cycle, err)
			}
			logf("churn cycle %d/%d: %s created and deleted %d", cycle, o.cycles, t.Name(), o.k)
		}
	}
	rep.ChurnSeconds = time.Since(churnStart).Seconds()
	logf("quiet for %s", o.quiet)
	time.Sleep(o.quiet)
	if rep.AfterQuiet, err = read("after-quiet"); err != nil {
		return rep, err
	}

	if o.objects > 0 {
		for _, t := range servers {
			if err := storeAndDelete(ctx, t, o.objects, o.c, false); err != nil {
				return rep, err
			}
		}
		// As stored now, with the status example-controller-manager wrote if it runs.
		for server, prefix := range map[string]string{exampleServer: "/registry/" + cronTabs.Group, kubeServer: "/registry/" + crd.Group} {
			_, value, err := localstack.StoredObject(ctx, etcdClient, prefix, crd.Resource, memoryNamespace, objectName(0))
			if err != nil {
				return rep, err
			}
			rep.StoredBytes[server] = len(value)
		}
		if controller {
			if err := waitForStatus(ctx, example, o.objects); err != nil {
				return rep, err
			}
		}
		logf("%d objects stored in each server; settling for %s", o.objects, o.settle)
		time.Sleep(o.settle)
		if rep.WithObjects, err = read("with-objects"); err != nil {
			return rep, err
		}
		rep.HeapPerObject = map[string]float64{}
		for _, t := range servers {
			rep.HeapPerObject[t.Name()] = float64(rep.WithObjects[t.Name()].HeapLiveBytes-rep.AfterQuiet[t.Name()].HeapLiveBytes) / float64(o.objects)
		}
		for _, t := range servers {
			if p := runPhase(o.objects, o.c, func(i int) error { return t.Delete(ctx, memoryNamespace, i) }); p.Errors > 0 {
				return rep, fmt.Errorf("deleting the objects of %s: %d errors, e.g. %s", t.Name(), p.Errors, p.FirstError)
			}
		}
	}
	rep.LoadAfter = loadAverage()
	rep.WallSeconds = time.Since(start).Seconds()
	rep.ForeignCPUSeconds = max(0, (machineBusySeconds()-busyBefore)-(s.stackCPUSeconds()-stackBefore))
	rep.goals()
	return rep, nil
}

// waitForStatus waits until example-controller-manager has written the status of each of
// the n CronTabs t stored: the heap per object with the controller holds that write's
// watch-cache event and authorization decision.
func waitForStatus(ctx context.Context, t *dynamicTarget, n int) error {
	done := 0
	err := wait.PollUntilContextTimeout(ctx, 5*time.Second, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		list, err := t.client.Resource(t.gvr).Namespace(memoryNamespace).List(ctx, metav1.ListOptions{ResourceVersion: "0"})
		if err != nil {
			return false, nil
		}
		done = 0
		for _, u := range list.Items {
			if _, ok, _ := unstructured.NestedFieldNoCopy(u.Object, "status", "observedGeneration"); ok {
				done++
			}
		}
		return done >= n, nil
	})
	if err != nil {
		return fmt.Errorf("example-controller-manager wrote the status of %d of %d CronTabs: %w", done, n, err)
	}
	logf("example-controller-manager wrote the status of all %d CronTabs", n)
	return nil
}

// storeAndDelete creates n objects in t's server by c workers and, if andDelete, deletes
// them one by one.
func storeAndDelete(ctx context.Context, t *dynamicTarget, n, c int, andDelete bool) error {
	if p := runPhase(n, c, func(i int) error { _, err := t.Create(ctx, memoryNamespace, i); return err }); p.Errors > 0 {
		return fmt.Errorf("creating %d objects in %s: %d errors, e.g. %s", n, t.Name(), p.Errors, p.FirstError)
	}
	if !andDelete {
		return nil
	}
	if p := runPhase(n, c, func(i int) error { return t.Delete(ctx, memoryNamespace, i) }); p.Errors > 0 {
		return fmt.Errorf("deleting %d objects in %s: %d errors, e.g. %s", n, t.Name(), p.Errors, p.FirstError)
	}
	return nil
}

// readMemory forces a GC in the server (GET /debug/pprof/heap?gc=1, whose profile is kept
// in profileDir for example-apiserver), then reads go_gc_heap_live_bytes from /metrics and
// the process's RSS from /proc.
func readMemory(ctx context.Context, s *stack, server string, config *rest.Config, profileDir, label string) (memoryReading, error) {
	var r memoryReading
	heap, err := getRaw(ctx, config, "/debug/pprof/heap", map[string]string{"gc": "1"})
	if err != nil {
		return r, fmt.Errorf("%s: %w", server, err)
	}
	if profileDir != "" && server == exampleServer {
		if err := os.WriteFile(filepath.Join(profileDir, fmt.Sprintf("%s-%s.heap.pprof", server, label)), heap, 0o644); err != nil {
			return r, err
		}
	}
	metrics, err := getRaw(ctx, config, "/metrics", nil)
	if err != nil {
		return r, fmt.Errorf("%s: %w", server, err)
	}
	if r.HeapLiveBytes, err = promValue(metrics, "go_gc_heap_live_bytes"); err != nil {
		return r, fmt.Errorf("%s: %w", server, err)
	}
	pid, err := s.pid(server)
	if err != nil {
		return r, err
	}
	st, err := readProcStat(pid)
	if err != nil {
		return r, err
	}
	r.RSSBytes, r.AnonBytes = st.RSSBytes, st.AnonBytes
	return r, nil
}

// promValue is the value of an unlabelled metric in Prometheus text exposition.
func promValue(exposition []byte, name string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(exposition))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		value, ok := strings.CutPrefix(sc.Text(), name+" ")
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		return int64(f), err
	}
	return 0, errors.Join(sc.Err(), fmt.Errorf("no %s in /metrics", name))
}

// Goal thresholds of the memory goals.
const (
	comeBackFactor = 1.5
	comeBackSlack  = 64 << 20
	kubeFraction   = 0.25
	// heapFractionWithController is the heap-per-object goal with example-controller-manager
	// running: its status write adds an event and an authorization decision per object.
	heapFractionWithController = 0.35
)

// mode names the stack's shape in the goals.
func (rep *memoryReport) mode() string {
	if rep.Controller {
		return "with example-controller-manager"
	}
	return "without example-controller-manager"
}

func (rep *memoryReport) goals() {
	ours, theirs := rep.AfterQuiet[exampleServer], rep.AfterQuiet[kubeServer]
	if rep.Cycles == 0 {
		rep.Goals = append(rep.Goals, goal{Goal: rep.mode() + ", memory comes back after churn", Measured: "not measured: -cycles 0"})
	} else {
		rep.goalComesBack(ours, theirs)
	}
	if rep.HeapPerObject == nil {
		return
	}
	ourHeap, theirHeap := rep.HeapPerObject[exampleServer], rep.HeapPerObject[kubeServer]
	perObject := ourHeap / theirHeap
	// A negative growth means the objects' events pushed out more of an earlier churn's
	// history than they added: no per-object figure (run with -cycles 0 for a clean one).
	fraction := kubeFraction
	if rep.Controller {
		fraction = heapFractionWithController
	}
	metHeap := ourHeap > 0 && theirHeap > 0 && perObject <= fraction
	rep.Goals = append(rep.Goals, goal{
		Goal: fmt.Sprintf("%s, live heap per stored object at %d objects ≤ %.2f× the CRD's in kube-apiserver", rep.mode(), rep.Objects, fraction),
		Measured: fmt.Sprintf("%.2f×: %.0f B per CronTab (%d B in etcd) vs %.0f B per CRD object (%d B in etcd)", perObject,
			ourHeap, rep.StoredBytes[exampleServer], theirHeap, rep.StoredBytes[kubeServer]),
		Met: &metHeap,
	})
}

// goalComesBack is goal 1: example-apiserver's anonymous memory after the quiet.
func (rep *memoryReport) goalComesBack(ours, theirs memoryReading) {
	limit := int64(comeBackFactor*float64(rep.Before[exampleServer].AnonBytes)) + comeBackSlack
	ratio := float64(ours.AnonBytes) / float64(theirs.AnonBytes)
	met := ours.AnonBytes <= limit && ratio <= kubeFraction
	rep.Goals = append(rep.Goals, goal{
		Goal: fmt.Sprintf("%s, memory comes back: anonymous RSS %.0f s after %d × %d creates and deletes ≤ %.1f× pre-churn + %s and ≤ %.2f× kube-apiserver's",
			rep.mode(), rep.QuietSeconds, rep.Cycles, rep.K, comeBackFactor, mib(comeBackSlack), kubeFraction),
		Measured: fmt.Sprintf("%s (pre-churn %s, limit %s); %.2f× kube-apiserver's %s",
			mib(ours.AnonBytes), mib(rep.Before[exampleServer].AnonBytes), mib(limit), ratio, mib(theirs.AnonBytes)),
		Met: &met,
	})
}

func (rep *memoryReport) print(w io.Writer) {
	fmt.Fprintf(w, "\nmemory %s, %s: %d × (create %d, delete %d one by one) per server, interleaved, then %.0f s quiet; %d CPUs, load %v → %v, other processes used %.1f CPU-s in %.0f s\n",
		rep.mode(), rep.Commit, rep.Cycles, rep.K, rep.K, rep.QuietSeconds, rep.CPUs, rep.LoadBefore, rep.LoadAfter, rep.ForeignCPUSeconds, rep.WallSeconds)
	if rep.ExampleFlags != "" || rep.GoMemLimit != "" {
		fmt.Fprintf(w, "example-apiserver ran with EXAMPLE_APISERVER_EXTRA_FLAGS=%q GOMEMLIMIT=%q\n", rep.ExampleFlags, rep.GoMemLimit)
	}
	if !rep.Fresh {
		fmt.Fprintln(w, "the stack was reused: its servers were not fresh before the churn")
	}
	fmt.Fprintf(w, "%18s  %22s  %22s  %22s  %18s  %s\n", "server", "anon RSS / heap before", "after quiet", fmt.Sprintf("with %d objects", rep.Objects), "heap B per object", "etcd B per object")
	for _, name := range []string{exampleServer, kubeServer} {
		cell := func(r memoryReading) string {
			if r.AnonBytes == 0 {
				return "-"
			}
			return mib(r.AnonBytes) + " / " + mib(r.HeapLiveBytes)
		}
		perObject := "-"
		if v, ok := rep.HeapPerObject[name]; ok {
			perObject = fmt.Sprintf("%.0f", v)
		}
		stored := "-" // the CRD's size is read from the objects stored for the heap per object
		if b, ok := rep.StoredBytes[name]; ok {
			stored = strconv.Itoa(b)
		}
		fmt.Fprintf(w, "%18s  %22s  %22s  %22s  %18s  %s\n", name, cell(rep.Before[name]), cell(rep.AfterQuiet[name]), cell(rep.WithObjects[name]), perObject, stored)
	}
	printGoals(w, "goals", rep.Goals)
}
