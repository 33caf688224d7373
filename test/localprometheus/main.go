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

// Command localprometheus runs Prometheus (Debian's) against the stack `make up` started, as
// TestAlertsFireOnPrometheus does but with the rules as they are: it scrapes the components
// with a ServiceAccount token and evaluates artifacts/monitoring/rules.yaml (make prometheus).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"example.com/example-apiserver/test/e2e/framework"
)

func main() {
	dir := flag.String("dir", "_output/local", "the state directory of the stack, relative to the repository root")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "localprometheus:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	stack, err := framework.Attach(dir)
	if err != nil {
		return err
	}
	// In the stack's directory: the next make up starts afresh.
	state := filepath.Join(stack.Dir, "prometheus")
	prom, err := stack.StartLocalPrometheus(state)
	if err != nil {
		return err
	}
	defer prom.Stop()
	fmt.Printf(`Prometheus scrapes the local stack and evaluates artifacts/monitoring/rules.yaml:
  %[1]s/targets   the components, each scraped with the token of ServiceAccount example-monitoring/prometheus
  %[1]s/alerts    the alerts (docs/operations.md)
Dashboard: import artifacts/monitoring/dashboard.json into a Grafana whose Prometheus data source is %[1]s.
Data and log in %[2]s; Ctrl-C stops it.
`, prom.URL, state)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}
