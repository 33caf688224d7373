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

// Command dashboardsnapshot draws artifacts/monitoring/dashboard.json with real data as one PNG
// (make dashboard-snapshot, docs/operations.md). It starts the Prometheus of make prometheus
// against the stack of make up, gives the stack work (CronTabs whose runs succeed and one whose
// runs fail, API requests, logins), waits until the panels hold minutes of it, then runs every
// panel's queries over that time through Prometheus' HTTP API (query_range) and plots them on
// the dashboard's grid. Grafana is neither one of Debian's packages nor, from its Go module
// (AGPL), of a licence this project may use. A module of its own keeps the plotting library
// out of the main module.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/monitoring"
	"example.com/example-apiserver/test/utils"
)

func main() {
	dir := flag.String("dir", "_output/local", "the state directory of the stack, relative to the repository root")
	out := flag.String("out", "docs/images/dashboard.png", "the PNG to write, relative to the repository root")
	runs := flag.Int("runs", 6, "finished runs of each CronTab to wait for: about as many minutes of data")
	rateInterval := flag.Duration("rate-interval", time.Minute, "the window of $__rate_interval")
	width := flag.Int("width", 1400, "the width of the PNG in pixels; the height follows the dashboard's grid")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *dir, *out, *runs, *rateInterval, *width); err != nil {
		fmt.Fprintln(os.Stderr, "dashboardsnapshot:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dir, out string, runs int, rateInterval time.Duration, width int) error {
	stack, err := framework.Attach(dir)
	if err != nil {
		return err
	}
	dashboard, err := monitoring.ReadDashboard(filepath.Join(stack.Root, "artifacts", "monitoring"))
	if err != nil {
		return err
	}
	// A directory of its own, emptied: make prometheus may be using the stack's, and the
	// snapshot shows this run's work only.
	state := filepath.Join(stack.Dir, "dashboard-snapshot")
	if err := os.RemoveAll(state); err != nil {
		return err
	}
	prom, err := stack.StartLocalPrometheus(state)
	if err != nil {
		return err
	}
	defer prom.Stop()
	api, err := prom.API()
	if err != nil {
		return err
	}
	// example-apiserver, kube-apiserver and one example-controller-manager at least.
	if err := utils.PollContext(ctx, time.Second, time.Minute, "Prometheus scraping every component", framework.TargetsUp(api, 3)); err != nil {
		return err
	}
	scraping := time.Now()

	w, err := startWorkload(ctx, stack)
	if err != nil {
		return err
	}
	defer w.stop()
	fmt.Printf("dashboardsnapshot: Prometheus at %s; waiting for %d finished runs of each CronTab\n", prom.URL, runs)
	// Runs come at minute boundaries; the first may be almost a minute away.
	if err := utils.PollContext(ctx, 5*time.Second, time.Duration(runs+2)*time.Minute, fmt.Sprintf("%d finished runs of each CronTab", runs), w.finishedRuns(ctx, api, runs)); err != nil {
		return err
	}
	// Rates need a window of samples: the range starts one window after the first scrape.
	r := promv1.Range{Start: scraping.Add(rateInterval), End: time.Now()}
	r.Step = max(r.End.Sub(r.Start)/200, time.Second).Round(time.Second)
	interval := model.Duration(rateInterval).String()
	panels, err := queryPanels(ctx, api, dashboard, r, interval)
	if err != nil {
		return err
	}
	png, err := drawDashboard(dashboard, panels, r, interval, width)
	if err != nil {
		return err
	}
	path := filepath.Join(stack.Root, out)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return err
	}
	fmt.Printf("dashboardsnapshot: wrote %s (%d KB), %s to %s UTC\n", out, len(png)/1024,
		r.Start.UTC().Format("15:04:05"), r.End.UTC().Format("15:04:05"))
	return nil
}
