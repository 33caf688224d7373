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
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
)

// report is one benchmark run: what was measured, under which load, and what it means. It
// is printed and appended as one JSON line to the results file.
type report struct {
	Date       string     `json:"date"`
	Commit     string     `json:"commit"`
	CPUs       int        `json:"cpus"`
	LoadBefore [3]float64 `json:"load_before"`
	LoadAfter  [3]float64 `json:"load_after"`
	N          int        `json:"n"`
	C          int        `json:"c"`
	Size       int        `json:"size"`
	Rounds     int        `json:"rounds"`
	// MetricsGets is the number of metric GETs of each metrics run.
	MetricsGets int `json:"metrics_gets"`
	// ExampleFlags are the EXAMPLE_APISERVER_EXTRA_FLAGS a stack the run brought up gave
	// example-apiserver, for A/B runs of a server flag.
	ExampleFlags string `json:"example_apiserver_extra_flags,omitempty"`
	// WallSeconds is how long the rounds took; ForeignCPUSeconds the CPU time processes
	// other than the stack and the benchmark used meanwhile (machine busy time minus ours).
	WallSeconds       float64 `json:"wall_seconds"`
	ForeignCPUSeconds float64 `json:"foreign_cpu_seconds"`

	// Runs are every round's figures; Medians one per target and client over the rounds.
	Runs    []run   `json:"runs"`
	Medians []run   `json:"medians"`
	Ratios  []ratio `json:"ratios"`
	Goals   []goal  `json:"goals"`
	// Processes is each server process at the end: RSS, peak RSS and CPU seconds in total.
	Processes map[string]procStat `json:"processes"`
	// Baseline compares example-apiserver's memory with sample-apiserver's, measured before
	// the rounds; absent when sample-apiserver was not run.
	Baseline *rssBaseline `json:"rss_baseline,omitempty"`
	// TableList is the table LIST measured after the rounds; absent with -table-list 0.
	TableList *tableList `json:"table_list,omitempty"`
}

// ratio compares two targets under one client: throughputs as numerator ÷ denominator
// (above 1: the numerator is faster), LIST and watch as time ÷ time (below 1: faster).
type ratio struct {
	Name   string  `json:"name"`
	Client string  `json:"client"`
	Create float64 `json:"create"`
	Get    float64 `json:"get"`
	Update float64 `json:"update"`
	Delete float64 `json:"delete"`
	// List, ListPaged and WatchP50 are time ratios.
	List      float64 `json:"list_time"`
	ListPaged float64 `json:"list_paged_time"`
	WatchP50  float64 `json:"watch_p50_time"`
	// GetP50 and GetP99 are time ratios of single gets; only the metrics ratio has them.
	GetP50 float64 `json:"get_p50_time,omitempty"`
	GetP99 float64 `json:"get_p99_time,omitempty"`
}

// goal is one performance goal (docs/benchmarks.md) with the measured figure.
type goal struct {
	Goal     string `json:"goal"`
	Measured string `json:"measured"`
	// Met is nil when this benchmark cannot measure it.
	Met *bool `json:"met"`
}

func median(runs []run, f func(run) float64) float64 {
	v := make([]float64, len(runs))
	for i, r := range runs {
		v[i] = f(r)
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func medianPhase(runs []run, f func(run) phase) phase {
	p := phase{
		PerSec:  median(runs, func(r run) float64 { return f(r).PerSec }),
		P50ms:   median(runs, func(r run) float64 { return f(r).P50ms }),
		P99ms:   median(runs, func(r run) float64 { return f(r).P99ms }),
		Seconds: median(runs, func(r run) float64 { return f(r).Seconds }),
	}
	for _, r := range runs {
		p.Ops += f(r).Ops
		p.Errors += f(r).Errors
	}
	return p
}

// medianLatency is the median of each figure of a latency over the runs.
func medianLatency(runs []run, f func(run) latency) latency {
	return latency{
		N:     int(median(runs, func(r run) float64 { return float64(f(r).N) })),
		P50ms: median(runs, func(r run) float64 { return f(r).P50ms }),
		P99ms: median(runs, func(r run) float64 { return f(r).P99ms }),
		MaxMs: median(runs, func(r run) float64 { return f(r).MaxMs }),
	}
}

// summarize computes the medians, the ratios and the goals from the runs.
func (rep *report) summarize() {
	type key struct{ target, client string }
	var order []key
	groups := map[key][]run{}
	for _, r := range rep.Runs {
		k := key{r.Target, r.Client}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	medians := map[key]run{}
	for _, k := range order {
		rs := groups[k]
		m := run{
			Target: k.target, Client: k.client,
			Create:      medianPhase(rs, func(r run) phase { return r.Create }),
			Get:         medianPhase(rs, func(r run) phase { return r.Get }),
			Update:      medianPhase(rs, func(r run) phase { return r.Update }),
			Delete:      medianPhase(rs, func(r run) phase { return r.Delete }),
			ListMs:      median(rs, func(r run) float64 { return r.ListMs }),
			ListPagedMs: median(rs, func(r run) float64 { return r.ListPagedMs }),
			Watch:       medianLatency(rs, func(r run) latency { return r.Watch }),
			CPUSeconds:  map[string]float64{},
			RSSBytes:    map[string]int64{},
		}
		for _, p := range slices.Concat(serverProcesses, []string{benchClient}) {
			m.CPUSeconds[p] = median(rs, func(r run) float64 { return r.CPUSeconds[p] })
			m.RSSBytes[p] = int64(median(rs, func(r run) float64 { return float64(r.RSSBytes[p]) }))
		}
		if rs[0].Ops > 0 {
			m.Ops, m.OpCPUSeconds = rs[0].Ops, map[string]float64{}
			for _, p := range slices.Concat(serverProcesses, []string{benchClient}) {
				m.OpCPUSeconds[p] = median(rs, func(r run) float64 { return r.OpCPUSeconds[p] })
			}
		}
		if rs[0].OpenLoop != nil {
			ol := *rs[0].OpenLoop
			ol.Latency = medianLatency(rs, func(r run) latency { return r.OpenLoop.Latency })
			floor := medianLatency(rs, func(r run) latency { return *r.OpenLoop.Floor })
			ol.Floor = &floor
			m.OpenLoop = &ol
		}
		medians[k] = m
		rep.Medians = append(rep.Medians, m)
	}

	for _, client := range []string{"dynamic", "typed"} {
		for _, pair := range []struct{ name, num, den, denClient string }{
			{"1/3 aggregated÷crd", "aggregated", "crd", client},
			{"2/3 direct÷crd", "direct", "crd", client},
			{"2/4 direct÷etcd", "direct", "etcd", "etcd"},
		} {
			a, okA := medians[key{pair.num, client}]
			b, okB := medians[key{pair.den, pair.denClient}]
			if !okA || !okB {
				continue
			}
			rep.Ratios = append(rep.Ratios, ratio{
				Name: pair.name, Client: client,
				Create: a.Create.PerSec / b.Create.PerSec, Get: a.Get.PerSec / b.Get.PerSec,
				Update: a.Update.PerSec / b.Update.PerSec, Delete: a.Delete.PerSec / b.Delete.PerSec,
				List: a.ListMs / b.ListMs, ListPaged: a.ListPagedMs / b.ListPagedMs, WatchP50: a.Watch.P50ms / b.Watch.P50ms,
			})
		}
	}
	// The external metric: what the aggregator's hop costs an HPA's reads.
	if a, ok := medians[key{"aggregated", "metrics"}]; ok {
		if b, ok := medians[key{"direct", "metrics"}]; ok {
			rep.Ratios = append(rep.Ratios, ratio{
				Name: "1/2 aggregated÷direct", Client: "metrics",
				Get: a.Get.PerSec / b.Get.PerSec, GetP50: a.Get.P50ms / b.Get.P50ms, GetP99: a.Get.P99ms / b.Get.P99ms,
			})
		}
	}

	for _, r := range rep.Ratios {
		switch {
		case strings.HasPrefix(r.Name, "2/3"):
			met := r.Create >= 2 && r.Get >= 2 && r.Update >= 2
			rep.Goals = append(rep.Goals, goal{
				Goal:     fmt.Sprintf("direct ≥ 2× the CRD on creates, gets, updates (%s)", r.Client),
				Measured: fmt.Sprintf("%.2f×, %.2f×, %.2f×", r.Create, r.Get, r.Update), Met: &met,
			})
			metList := r.List <= 0.5
			rep.Goals = append(rep.Goals, goal{
				Goal:     fmt.Sprintf("LIST of %d direct ≤ ½ the CRD's time (%s)", rep.N, r.Client),
				Measured: fmt.Sprintf("%.2f× the CRD's time (paginated %.2f×)", r.List, r.ListPaged), Met: &metList,
			})
		case strings.HasPrefix(r.Name, "1/3"):
			met := r.Create >= 1 && r.Get >= 1 && r.Update >= 1
			rep.Goals = append(rep.Goals, goal{
				Goal:     fmt.Sprintf("through the aggregator ≥ 1× the CRD on creates, gets, updates (%s)", r.Client),
				Measured: fmt.Sprintf("%.2f×, %.2f×, %.2f×", r.Create, r.Get, r.Update), Met: &met,
			})
			metList := r.List <= 0.5
			rep.Goals = append(rep.Goals, goal{
				Goal:     fmt.Sprintf("LIST of %d through the aggregator ≤ ½ the CRD's time (%s)", rep.N, r.Client),
				Measured: fmt.Sprintf("%.2f× the CRD's time (paginated %.2f×)", r.List, r.ListPaged), Met: &metList,
			})
		}
	}
	rep.Goals = append(rep.Goals, cpuGoals(medians[key{"direct", "dynamic"}], medians[key{"aggregated", "dynamic"}], medians[key{"crd", "dynamic"}], rep.ratio("1/3 aggregated÷crd", "dynamic"))...)
	rep.Goals = append(rep.Goals, cpuGoals(medians[key{"direct", "typed"}], medians[key{"aggregated", "typed"}], medians[key{"crd", "typed"}], rep.ratio("1/3 aggregated÷crd", "typed"))...)
	for _, g := range []struct {
		target string
		p99ms  float64
	}{{"direct", 5}, {"aggregated", 10}} {
		m, ok := medians[key{g.target, "metrics"}]
		if !ok || m.OpenLoop == nil {
			continue
		}
		ol := m.OpenLoop
		met := ol.Latency.P99ms <= g.p99ms
		rep.Goals = append(rep.Goals, goal{
			Goal: fmt.Sprintf("external metric %s at %.0f GETs/s (open loop): p99 ≤ %.0f ms", g.target, ol.Rate, g.p99ms),
			Measured: fmt.Sprintf("p99 %.1f ms (p50 %.1f, max %.1f; /livez meanwhile p99 %.1f); at saturation %.0f GETs/s, p99 %.1f ms",
				ol.Latency.P99ms, ol.Latency.P50ms, ol.Latency.MaxMs, ol.Floor.P99ms, m.Get.PerSec, m.Get.P99ms),
			Met: &met,
		})
	}
	if rep.TableList != nil {
		rep.Goals = append(rep.Goals, rep.TableList.goal())
	}
	const rssGoal = "RSS ≤ ½ of sample-apiserver's for the same objects"
	if b := rep.Baseline; b != nil {
		met := b.Ratio <= 0.5
		rep.Goals = append(rep.Goals, goal{
			Goal: rssGoal, Met: &met,
			Measured: fmt.Sprintf("%.2f×: example-apiserver %s, sample-apiserver %s with %d objects each stored",
				b.Ratio, mib(b.RSS["example-apiserver"]), mib(b.RSS[sampleName]), b.Objects),
		})
	} else if m, ok := medians[key{"direct", "dynamic"}]; ok {
		rep.Goals = append(rep.Goals, goal{
			Goal:     rssGoal,
			Measured: fmt.Sprintf("example-apiserver %s with %d CronTabs stored; sample-apiserver was not run, so not compared here", mib(m.RSSBytes["example-apiserver"]), rep.N),
		})
	}
}

// perThousand is a process's CPU-seconds per 1,000 of the run's single operations.
func (m run) perThousand(process string) float64 {
	if m.Ops == 0 {
		return 0
	}
	return m.OpCPUSeconds[process] / float64(m.Ops) * 1000
}

// stackPerThousand is the servers' and etcd's CPU-seconds per 1,000 operations together.
func (m run) stackPerThousand() float64 {
	var total float64
	for _, p := range serverProcesses {
		total += m.perThousand(p)
	}
	return total
}

// ratio is the named ratio of a client, or nil.
func (rep *report) ratio(name, client string) *ratio {
	for i, r := range rep.Ratios {
		if r.Name == name && r.Client == client {
			return &rep.Ratios[i]
		}
	}
	return nil
}

// cpuGoals are the goals on server CPU per operation, the figure a noisy machine moves least:
// directly, example-apiserver at most half of what kube-apiserver spends serving the CRD;
// through the aggregator, the whole stack no more than for the CRD.
func cpuGoals(direct, aggregated, crd run, throughput *ratio) []goal {
	if crd.Ops == 0 {
		return nil
	}
	var goals []goal
	kas := crd.perThousand("kube-apiserver")
	if direct.Ops > 0 {
		ours := direct.perThousand("example-apiserver")
		met := ours <= 0.5*kas
		goals = append(goals, goal{
			Goal: fmt.Sprintf("direct: example-apiserver's CPU per 1,000 operations ≤ 0.5× kube-apiserver's for the CRD (%s)", crd.Client),
			Measured: fmt.Sprintf("%.2f×: %.2f vs %.2f CPU-s (whole stack %.2f vs %.2f)",
				ours/kas, ours, kas, direct.stackPerThousand(), crd.stackPerThousand()),
			Met: &met,
		})
	}
	if aggregated.Ops > 0 {
		ours, theirs := aggregated.stackPerThousand(), crd.stackPerThousand()
		met := ours <= theirs
		measured := fmt.Sprintf("%.2f×: %.2f (example-apiserver %.2f + kube-apiserver %.2f + etcd %.2f) vs %.2f CPU-s",
			ours/theirs, ours, aggregated.perThousand("example-apiserver"), aggregated.perThousand("kube-apiserver"), aggregated.perThousand("etcd"), theirs)
		if throughput != nil {
			measured += fmt.Sprintf("; throughput creates/updates %.2f×/%.2f× (goal ≥ 1), gets %.2f× (goal ≥ 0.8)", throughput.Create, throughput.Update, throughput.Get)
		}
		goals = append(goals, goal{
			Goal:     fmt.Sprintf("through the aggregator: the stack's CPU per operation ≤ the CRD's (%s)", crd.Client),
			Measured: measured, Met: &met,
		})
	}
	return goals
}

// printGoals prints each goal as MET, MISS or n/a with its measured figure.
func printGoals(w io.Writer, title string, goals []goal) {
	fmt.Fprintln(w, "\n"+title)
	for _, g := range goals {
		verdict := "n/a "
		if g.Met != nil {
			verdict = map[bool]string{true: "MET ", false: "MISS"}[*g.Met]
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", verdict, g.Goal, g.Measured)
	}
}

// separateBenchmarks measure goals of their own; each appends its runs to this file of the
// results directory.
var separateBenchmarks = []struct{ command, results string }{
	{"make bench-memory", "memory-results.jsonl"},
	{"make bench-scale", "scale-results.jsonl"},
	{"make bench-controller", "controller-results.jsonl"},
	{"make bench-inprocess", "inprocess-results.jsonl"},
	{"make bench-controller BENCH_CONTROLLER_FLAGS=-herd", "controller-results-herd.jsonl"},
}

// printSeparateGoals prints the goals of the latest run of each separate benchmark found in
// dir, so that one report lists every goal, each with the run that measured it.
func printSeparateGoals(w io.Writer, dir string) {
	for _, b := range separateBenchmarks {
		latest, err := latestRun(filepath.Join(dir, b.results))
		if err != nil {
			fmt.Fprintf(w, "\ngoals of %s: no run here yet (%v)\n", b.command, err)
			continue
		}
		printGoals(w, fmt.Sprintf("goals of %s, from its latest run here (%s, commit %s)", b.command, latest.Date, latest.Commit), latest.Goals)
	}
}

// latestRun reads the last run of a results file (one JSON object a line).
func latestRun(path string) (run struct {
	Date   string `json:"date"`
	Commit string `json:"commit"`
	Goals  []goal `json:"goals"`
}, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return run, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	err = json.Unmarshal([]byte(lines[len(lines)-1]), &run)
	return run, err
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

func (rep *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nexample-apiserver benchmark %s (commit %s): N=%d C=%d size=%d, median of %d rounds\n", rep.Date, rep.Commit, rep.N, rep.C, rep.Size, rep.Rounds)
	fmt.Fprintf(w, "machine: %d CPUs, load average %.2f before → %.2f after; other processes used %.1f of %.0f CPU-seconds available in the %.0fs of the rounds\n\n",
		rep.CPUs, rep.LoadBefore[0], rep.LoadAfter[0], rep.ForeignCPUSeconds, rep.WallSeconds*float64(rep.CPUs), rep.WallSeconds)
	if rep.ExampleFlags != "" {
		fmt.Fprintf(w, "example-apiserver ran with EXAMPLE_APISERVER_EXTRA_FLAGS=%q\n\n", rep.ExampleFlags)
	}
	if slices.ContainsFunc(rep.Medians, func(m run) bool { return m.Client != "metrics" }) {
		rep.printWorkload(w)
	}
	rep.printMetrics(w)
	rep.printBaseline(w)

	printGoals(w, "goals", rep.Goals)

	fmt.Fprintln(w, "\nserver processes at the end (RSS now / peak, CPU seconds since start)")
	for _, name := range slices.Concat(serverProcesses, []string{benchClient}) {
		if p, ok := rep.Processes[name]; ok {
			fmt.Fprintf(w, "  %-18s %8s / %8s  %7.1f CPU-s\n", name, mib(p.RSSBytes), mib(p.PeakBytes), p.CPUSeconds)
		}
	}
	fmt.Fprintln(w)
}

// printWorkload prints the CronTab workload's medians and ratios.
func (rep *report) printWorkload(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tclient\tcreate/s (p50/p99 ms)\tget/s\tupdate/s\tdelete/s\tLIST ms\tLIST/500 ms\twatch p50/p99 ms\tCPU-s ex/kas/etcd/client\t")
	cell := func(p phase) string { return fmt.Sprintf("%.0f (%.1f/%.1f)", p.PerSec, p.P50ms, p.P99ms) }
	for _, m := range rep.Medians {
		if m.Client == "metrics" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%.1f/%.1f\t%.1f/%.1f/%.1f/%.1f\t\n",
			m.Target, m.Client, cell(m.Create), cell(m.Get), cell(m.Update), cell(m.Delete), m.ListMs, m.ListPagedMs,
			m.Watch.P50ms, m.Watch.P99ms, m.CPUSeconds["example-apiserver"], m.CPUSeconds["kube-apiserver"], m.CPUSeconds["etcd"], m.CPUSeconds[benchClient])
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nratios (throughput: ×faster; LIST and watch: ×time, lower is better)")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "ratio\tclient\tcreate\tget\tupdate\tdelete\tLIST time\tLIST/500 time\twatch p50\t")
	for _, r := range rep.Ratios {
		if r.Client == "metrics" {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", r.Name, r.Client, r.Create, r.Get, r.Update, r.Delete, r.List, r.ListPaged, r.WatchP50)
	}
	_ = tw.Flush()

	fmt.Fprintln(w, "\nCPU-seconds per 1,000 operations (the creates, gets, updates and deletes; LISTs excluded), utime+stime from /proc")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tclient\texample-apiserver\tkube-apiserver\tetcd\tservers+etcd\tbench client\t")
	for _, m := range rep.Medians {
		if m.Ops == 0 {
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t\n", m.Target, m.Client, m.perThousand("example-apiserver"),
			m.perThousand("kube-apiserver"), m.perThousand("etcd"), m.stackPerThousand(), m.perThousand(benchClient))
	}
	_ = tw.Flush()
}

// printMetrics prints the metrics runs' medians and their ratio, if any ran.
func (rep *report) printMetrics(w io.Writer) {
	if !slices.ContainsFunc(rep.Medians, func(m run) bool { return m.Client == "metrics" }) {
		return
	}
	fmt.Fprintf(w, "\nexternal metric: GET .../external.metrics.k8s.io/v1beta1/namespaces/NS/%s?labelSelector=%s, %d CronTabs in NS (%d match), %d GETs by %d workers\n",
		metricName, metricSelector, rep.N, (rep.N+1)/2, rep.MetricsGets, rep.C)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\tGET/s (p50/p99 ms)\tCPU-s ex/kas/etcd/client\t")
	for _, m := range rep.Medians {
		if m.Client == "metrics" {
			fmt.Fprintf(tw, "%s\t%.0f (%.1f/%.1f)\t%.1f/%.1f/%.1f/%.1f\t\n", m.Target, m.Get.PerSec, m.Get.P50ms, m.Get.P99ms,
				m.CPUSeconds["example-apiserver"], m.CPUSeconds["kube-apiserver"], m.CPUSeconds["etcd"], m.CPUSeconds[benchClient])
		}
	}
	_ = tw.Flush()
	for _, m := range rep.Medians {
		if ol := m.OpenLoop; m.Client == "metrics" && ol != nil {
			fmt.Fprintf(w, "  %s at %.0f GETs/s for %.0f s, open loop (latency from each GET's scheduled time): p50 %.1f ms, p99 %.1f ms, max %.1f ms; /livez of the first server at %.0f/s meanwhile: p50 %.1f, p99 %.1f, max %.1f ms\n",
				m.Target, ol.Rate, ol.Seconds, ol.Latency.P50ms, ol.Latency.P99ms, ol.Latency.MaxMs, ol.Rate/10, ol.Floor.P50ms, ol.Floor.P99ms, ol.Floor.MaxMs)
		}
	}
	for _, r := range rep.Ratios {
		if r.Client == "metrics" {
			fmt.Fprintf(w, "  %s: %.2f× the GETs/s; p50 %.2f×, p99 %.2f× the time\n", r.Name, r.Get, r.GetP50, r.GetP99)
		}
	}
}

// printBaseline prints the memory baseline, if it was measured.
func (rep *report) printBaseline(w io.Writer) {
	b := rep.Baseline
	if b == nil {
		return
	}
	fresh := "both freshly started"
	if !b.ExampleFresh {
		fresh = "example-apiserver from a reused stack, not fresh"
	}
	fmt.Fprintf(w, "\nmemory baseline, before the rounds (%s): %d objects stored in each server, dynamic client, %d workers\n", fresh, b.Objects, rep.C)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "server\tbytes/object in etcd\tRSS idle\tRSS with objects\tpeak\tanonymous idle\tanonymous with objects\tcreate/s (p50/p99 ms)\t")
	for _, name := range []string{"example-apiserver", sampleName} {
		c := b.Create[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t%.0f (%.1f/%.1f)\t\n", name, b.StoredBytes[name], mib(b.IdleRSS[name]), mib(b.RSS[name]), mib(b.PeakRSS[name]),
			mib(b.IdleAnon[name]), mib(b.Anon[name]), c.PerSec, c.P50ms, c.P99ms)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "  example-apiserver ÷ sample-apiserver: %.2f× the RSS with the objects, %.2f× idle; anonymous memory (without the binary's mapped pages) %.2f× with the objects, %.2f× idle\n",
		b.Ratio, float64(b.IdleRSS["example-apiserver"])/float64(b.IdleRSS[sampleName]),
		float64(b.Anon["example-apiserver"])/float64(b.Anon[sampleName]), float64(b.IdleAnon["example-apiserver"])/float64(b.IdleAnon[sampleName]))
}

// append adds the report as one JSON line to path.
func (rep *report) append(path string) error {
	return appendJSONLine(path, rep)
}

// appendJSONLine adds v as one JSON line to path.
func appendJSONLine(path string, v any) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
