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
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"text/tabwriter"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"example.com/example-apiserver/test/utils"
)

// `bench scale` (make bench-scale) stores N CronTabs in example-apiserver and N objects of
// the CronTab CRD in kube-apiserver, on one local stack and one etcd, the servers alternating
// throughout, and measures at that size: the create rate, a full LIST, a LIST by pages of 500, a watch from resourceVersion 0
// until it delivered every object, both servers' RSS and live heap, and etcd's database
// size. A measurement that fails (a timeout, an error) is recorded as where that server
// broke, and the run goes on.

// scaleNamespace holds both servers' objects.
const scaleNamespace = "bench-scale"

type scaleOptions struct {
	n, c, reps        int
	pageSize          int64
	timeout, settle   time.Duration
	stackDir, results string
	keep              bool
}

func scaleCommand(fs *flag.FlagSet) func() error {
	o := &scaleOptions{}
	fs.IntVar(&o.n, "n", 100000, "objects stored in each server")
	fs.IntVar(&o.c, "c", 16, "concurrent workers for the creates")
	fs.IntVar(&o.reps, "reps", 3, "LISTs of each kind and watches from 0 per server, interleaved; the medians are reported")
	fs.Int64Var(&o.pageSize, "page-size", 500, "limit of the paged LIST")
	fs.DurationVar(&o.timeout, "timeout", 5*time.Minute, "how long one LIST or the initial events of one watch may take before that server counts as broken there")
	fs.DurationVar(&o.settle, "settle", 20*time.Second, "quiet after the creates before memory is read")
	fs.StringVar(&o.stackDir, "stack-dir", "", "the local stack's directory: reused if it runs, else brought up there and taken down at the end (default _output/bench/scale-stack)")
	fs.StringVar(&o.results, "results", "", "JSON lines file the run is appended to (default _output/bench/scale-results.jsonl)")
	fs.BoolVar(&o.keep, "keep", false, "leave a stack the benchmark brought up running, with the objects")
	return func() error { return benchmarkScale(*o) }
}

// scaleSide is one server holding N objects.
type scaleSide struct {
	Server string `json:"server"`
	// Create is the N creates; the objects that failed are not stored.
	Create phase `json:"create"`
	// ListMs and PagedListMs are medians of the LISTs' times, from the request to the
	// response's last byte (the client's decoding excluded); Pages is the paged LIST's pages.
	ListMs      float64 `json:"list_ms"`
	PagedListMs float64 `json:"paged_list_ms"`
	Pages       int     `json:"pages"`
	// WatchMs is the median of watches from resourceVersion 0 until their N initial ADDED
	// events arrived.
	WatchMs float64 `json:"watch_initial_events_ms"`
	// Memory is read after the creates and a quiet period; PeakRSSBytes at the end.
	Memory       memoryReading `json:"memory"`
	PeakRSSBytes int64         `json:"peak_rss_bytes"`
	// HeapPerObject is the live heap the N objects added, per object; StoredBytes one
	// object's size in etcd; EtcdGrowthBytes how much etcd's database grew with the creates.
	HeapPerObject   float64 `json:"heap_bytes_per_object"`
	StoredBytes     int     `json:"stored_bytes"`
	EtcdGrowthBytes int64   `json:"etcd_db_growth_bytes"`
	// Broken names each measurement that failed, with its error: where this server broke.
	Broken map[string]string `json:"broken,omitempty"`
}

type scaleReport struct {
	Date              string      `json:"date"`
	Commit            string      `json:"commit"`
	CPUs              int         `json:"cpus"`
	LoadBefore        [3]float64  `json:"load_before"`
	LoadAfter         [3]float64  `json:"load_after"`
	N                 int         `json:"n"`
	C                 int         `json:"c"`
	PageSize          int64       `json:"page_size"`
	Sides             []scaleSide `json:"sides"`
	EtcdDBBytes       int64       `json:"etcd_db_bytes"`
	EtcdDBInUseBytes  int64       `json:"etcd_db_in_use_bytes"`
	WallSeconds       float64     `json:"wall_seconds"`
	ForeignCPUSeconds float64     `json:"foreign_cpu_seconds"`
	Goals             []goal      `json:"goals"`
}

// scaleServer is how the benchmark reaches one side: the dynamic client for the creates, raw
// HTTP for the LISTs and the watch, so that decoding N objects in the client is not timed.
type scaleServer struct {
	name   string
	config *rest.Config
	gvr    schema.GroupVersionResource
	create *dynamicTarget
	http   *http.Client
}

func (sv *scaleServer) collection() string {
	return fmt.Sprintf("%s/apis/%s/%s/namespaces/%s/%s", sv.config.Host, sv.gvr.Group, sv.gvr.Version, scaleNamespace, sv.gvr.Resource)
}

func benchmarkScale(o scaleOptions) (err error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return err
	}
	if o.stackDir == "" {
		o.stackDir = filepath.Join(root, "_output", "bench", "scale-stack")
	}
	if o.results == "" {
		o.results = filepath.Join(root, "_output", "bench", "scale-results.jsonl")
	}
	s, err := openStack(root, o.stackDir, withoutController)
	if err != nil {
		return err
	}
	clients, err := s.connect(root)
	defer s.release(clients, o.keep, &err)
	if err != nil {
		return err
	}
	ctx := context.Background()
	var servers []*scaleServer
	for _, sv := range []struct {
		name   string
		config *rest.Config
		gvr    schema.GroupVersionResource
	}{{exampleServer, clients.directConfig, cronTabs}, {kubeServer, clients.kubeConfig, crd}} {
		create, err := newDynamicTarget(sv.name, sv.config, sv.gvr)
		if err != nil {
			return err
		}
		httpClient, err := rest.HTTPClientFor(sv.config)
		if err != nil {
			return err
		}
		httpClient.Timeout = o.timeout
		servers = append(servers, &scaleServer{name: sv.name, config: sv.config, gvr: sv.gvr, create: create, http: httpClient})
	}
	if _, err := clients.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: scaleNamespace}}, metav1.CreateOptions{}); err != nil {
		return err
	}
	if !s.ours {
		// A stack the benchmark brought up goes down with its objects (or keeps them, with
		// -keep); in a reused one the namespace controller deletes them.
		defer func() { _ = clients.kube.CoreV1().Namespaces().Delete(ctx, scaleNamespace, metav1.DeleteOptions{}) }()
	}

	rep := scaleReport{
		Date: time.Now().UTC().Format(time.RFC3339), Commit: gitDescribe(root), CPUs: runtime.NumCPU(),
		N: o.n, C: o.c, PageSize: o.pageSize, LoadBefore: loadAverage(),
	}
	start, busyBefore, stackBefore := time.Now(), machineBusySeconds(), s.stackCPUSeconds()
	sides := make([]scaleSide, len(servers))
	before := map[string]memoryReading{}
	for i, sv := range servers {
		sides[i] = scaleSide{Server: sv.name, Broken: map[string]string{}}
		if before[sv.name], err = readMemory(ctx, s, sv.name, sv.config, "", "before"); err != nil {
			return err
		}
	}

	// The creates, in chunks of a tenth, the servers alternating, so that the machine's noise
	// falls on both; etcd's growth is read around each server's chunks.
	creates := make([]phaseTimes, len(servers))
	chunk := max(o.n/10, 1)
	for lo := 0; lo < o.n; lo += chunk {
		hi := min(lo+chunk, o.n)
		for i, sv := range servers {
			dbBefore, err := etcdDBSize(ctx, clients.etcd)
			if err != nil {
				return err
			}
			creates[i].add(timePhase(hi-lo, o.c, func(j int) error { _, err := sv.create.Create(ctx, scaleNamespace, lo+j); return err }))
			dbAfter, err := etcdDBSize(ctx, clients.etcd)
			if err != nil {
				return err
			}
			sides[i].EtcdGrowthBytes += dbAfter.DbSize - dbBefore.DbSize
		}
		logf("created %d of %d objects in each server", hi, o.n)
	}
	for i, sv := range servers {
		sides[i].Create = creates[i].phase()
		if p := sides[i].Create; p.Errors > 0 {
			sides[i].Broken["create"] = fmt.Sprintf("%d of %d failed, e.g. %s", p.Errors, p.Ops, p.FirstError)
		}
		logf("%s: %.0f creates/s, p99 %.1f ms, %d errors", sv.name, sides[i].Create.PerSec, sides[i].Create.P99ms, sides[i].Create.Errors)
		prefix := "/registry/" + sv.gvr.Group
		if _, value, err := utils.StoredObject(ctx, clients.etcd, prefix, sv.gvr.Resource, scaleNamespace, objectName(0)); err == nil {
			sides[i].StoredBytes = len(value)
		}
	}
	logf("settling for %s", o.settle)
	time.Sleep(o.settle)
	for i, sv := range servers {
		if sides[i].Memory, err = readMemory(ctx, s, sv.name, sv.config, "", "with-objects"); err != nil {
			return err
		}
		sides[i].HeapPerObject = float64(sides[i].Memory.HeapLiveBytes-before[sv.name].HeapLiveBytes) / float64(o.n)
	}
	stored := func(i int) int { return o.n - sides[i].Create.Errors }

	// LISTs, the servers interleaved so the machine's noise falls on both.
	lists := make([][]time.Duration, len(servers))
	paged := make([][]time.Duration, len(servers))
	for r := 1; r <= o.reps; r++ {
		for i, sv := range servers {
			if _, broken := sides[i].Broken["list"]; !broken {
				d, _, err := sv.list(ctx, 0, stored(i))
				if err != nil {
					sides[i].Broken["list"] = err.Error()
				} else {
					lists[i] = append(lists[i], d)
				}
			}
			if _, broken := sides[i].Broken["paged list"]; !broken {
				d, pages, err := sv.list(ctx, o.pageSize, stored(i))
				if err != nil {
					sides[i].Broken["paged list"] = err.Error()
				} else {
					paged[i], sides[i].Pages = append(paged[i], d), pages
				}
			}
			logf("LIST %d/%d %s: %s whole, %s by pages of %d", r, o.reps, sv.name, last(lists[i]), last(paged[i]), o.pageSize)
		}
	}
	watches := make([][]time.Duration, len(servers))
	for r := 1; r <= o.reps; r++ {
		for i, sv := range servers {
			if _, broken := sides[i].Broken["watch from 0"]; broken {
				continue
			}
			d, err := sv.watchInitialEvents(ctx, stored(i), o.timeout)
			if err != nil {
				sides[i].Broken["watch from 0"] = err.Error()
				continue
			}
			watches[i] = append(watches[i], d)
			logf("watch %d/%d from resourceVersion 0 %s: %d initial events in %s", r, o.reps, sv.name, stored(i), d)
		}
	}
	for i := range servers {
		sides[i].ListMs, sides[i].PagedListMs = summarize(lists[i]).P50ms, summarize(paged[i]).P50ms
		sides[i].WatchMs = summarize(watches[i]).P50ms
	}
	db, err := etcdDBSize(ctx, clients.etcd)
	if err != nil {
		return err
	}
	rep.EtcdDBBytes, rep.EtcdDBInUseBytes = db.DbSize, db.DbSizeInUse
	end := s.snapshot()
	for i := range sides {
		sides[i].PeakRSSBytes = end[sides[i].Server].PeakBytes
	}
	rep.Sides = sides
	rep.LoadAfter = loadAverage()
	rep.WallSeconds = time.Since(start).Seconds()
	rep.ForeignCPUSeconds = max(0, (machineBusySeconds()-busyBefore)-(s.stackCPUSeconds()-stackBefore))
	rep.goals()
	rep.print(os.Stdout)
	if err := appendJSONLine(o.results, rep); err != nil {
		return err
	}
	logf("appended to %s", o.results)
	return nil
}

func last(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return ds[len(ds)-1]
}

func etcdDBSize(ctx context.Context, c *clientv3.Client) (*clientv3.StatusResponse, error) {
	return c.Status(ctx, c.Endpoints()[0])
}

// list LISTs the collection (JSON, gzip as client-go asks for it) with limit (0: all at
// once), following continue tokens, and checks it holds want objects. The time is the sum
// of the pages' times from request to last byte: decoding a page, needed for the next
// page's token, is not counted.
func (sv *scaleServer) list(ctx context.Context, limit int64, want int) (time.Duration, int, error) {
	var total time.Duration
	items, pages, cont := 0, 0, ""
	for {
		q := url.Values{}
		if limit > 0 {
			q.Set("limit", fmt.Sprint(limit))
		}
		if cont != "" {
			q.Set("continue", cont)
		}
		t0 := time.Now()
		body, err := sv.get(ctx, sv.collection()+"?"+q.Encode())
		total += time.Since(t0)
		if err != nil {
			return total, pages, fmt.Errorf("page %d after %s: %w", pages+1, total.Round(time.Millisecond), err)
		}
		var page struct {
			Metadata struct {
				Continue string `json:"continue"`
			} `json:"metadata"`
			Items []struct{} `json:"items"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return total, pages, err
		}
		items, pages, cont = items+len(page.Items), pages+1, page.Metadata.Continue
		if cont == "" {
			break
		}
	}
	if items != want {
		return total, pages, fmt.Errorf("listed %d objects, want %d", items, want)
	}
	return total, pages, nil
}

func (sv *scaleServer) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := sv.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(body[:min(len(body), 300)]))
	}
	return body, err
}

// watchInitialEvents opens a watch from resourceVersion 0 (JSON) and times it until want
// initial ADDED events arrived. JSON watch events are one line each (strings escape their
// newlines), so the events are counted as newlines, without decoding them.
func (sv *scaleServer) watchInitialEvents(ctx context.Context, want int, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, sv.collection()+"?watch=1&resourceVersion=0", nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	// The watch runs longer than the client's timeout for single requests.
	streaming := *sv.http
	streaming.Timeout = 0
	resp, err := streaming.Do(req)
	if err != nil {
		return time.Since(start), err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return time.Since(start), fmt.Errorf("watch: %s", resp.Status)
	}
	buf := make([]byte, 1<<20)
	events, first := 0, true
	for events < want {
		n, err := resp.Body.Read(buf)
		if first && n > 0 {
			var e struct {
				Type string `json:"type"`
			}
			line, _, _ := bytes.Cut(buf[:n], []byte("\n"))
			if json.Unmarshal(line, &e) == nil && e.Type != "ADDED" {
				return time.Since(start), fmt.Errorf("watch: first event %s, want ADDED", e.Type)
			}
			first = false
		}
		events += bytes.Count(buf[:n], []byte("\n"))
		if err != nil {
			return time.Since(start), fmt.Errorf("after %d of %d events: %w", events, want, err)
		}
	}
	return time.Since(start), nil
}

// goals: goal 5 asks for the figures at N and where a server breaks; a server "holds N"
// when every measurement completed.
func (rep *scaleReport) goals() {
	for _, sd := range rep.Sides {
		held := len(sd.Broken) == 0
		measured := "every measurement completed"
		if !held {
			var what []string
			for k, v := range sd.Broken {
				what = append(what, k+": "+v)
			}
			slices.Sort(what)
			measured = "broke at " + fmt.Sprint(what)
		}
		rep.Goals = append(rep.Goals, goal{Goal: fmt.Sprintf("%s holds %d objects", sd.Server, rep.N), Measured: measured, Met: &held})
	}
}

func (rep *scaleReport) print(w io.Writer) {
	fmt.Fprintf(w, "\nscale, %s: %d objects in each server (C=%d), %d CPUs, load %v → %v, other processes used %.1f CPU-s in %.0f s\n",
		rep.Commit, rep.N, rep.C, rep.CPUs, rep.LoadBefore, rep.LoadAfter, rep.ForeignCPUSeconds, rep.WallSeconds)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "server\tcreate/s (p50/p99 ms)\tLIST ms\tLIST/%d ms (pages)\twatch from 0 ms\tRSS / anon / heap\tpeak RSS\theap B/object\tetcd B/object\tetcd growth\t\n", rep.PageSize)
	for _, sd := range rep.Sides {
		c := sd.Create
		fmt.Fprintf(tw, "%s\t%.0f (%.1f/%.1f)\t%.0f\t%.0f (%d)\t%.0f\t%s / %s / %s\t%s\t%.0f\t%d\t%s\t\n", sd.Server, c.PerSec, c.P50ms, c.P99ms,
			sd.ListMs, sd.PagedListMs, sd.Pages, sd.WatchMs, mib(sd.Memory.RSSBytes), mib(sd.Memory.AnonBytes), mib(sd.Memory.HeapLiveBytes),
			mib(sd.PeakRSSBytes), sd.HeapPerObject, sd.StoredBytes, mib(sd.EtcdGrowthBytes))
	}
	_ = tw.Flush()
	if len(rep.Sides) == 2 {
		a, b := rep.Sides[0], rep.Sides[1]
		fmt.Fprintf(w, "  %s ÷ %s: creates %.2f×; time of LIST %.2f×, paged %.2f×, watch from 0 %.2f×; live heap per object %.2f×, RSS %.2f×\n",
			a.Server, b.Server, a.Create.PerSec/b.Create.PerSec, a.ListMs/b.ListMs, a.PagedListMs/b.PagedListMs, a.WatchMs/b.WatchMs,
			a.HeapPerObject/b.HeapPerObject, float64(a.Memory.RSSBytes)/float64(b.Memory.RSSBytes))
	}
	fmt.Fprintf(w, "  etcd database at the end: %s (%s in use), both servers' objects\n", mib(rep.EtcdDBBytes), mib(rep.EtcdDBInUseBytes))
	printGoals(w, "goals", rep.Goals)
}
