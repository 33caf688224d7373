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

package monitoring

import (
	"regexp"
	"strings"
	"testing"
)

const artifacts = "../../artifacts/monitoring"

func TestMetricNames(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`up`, "up"},
		{`sum by (namespace, result) (increase(crontab_controller_runs_finished_total{job="x",namespace=~"$namespace"}[$__rate_interval]))`, "crontab_controller_runs_finished_total"},
		{`histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket{verb!~"WATCH|CONNECT"}[5m])))`, "apiserver_request_duration_seconds_bucket"},
		{"a:ratio > (14.4 * 0.01) and b:ratio > 1e-3 unless on (x) c", "a:ratio b:ratio c"},
		{`absent(leader_election_master_status{name="by (x)"} == 1)`, "leader_election_master_status"},
		{`max(workqueue_depth) > 0 and sum without (instance) (rate(work_total[5m])) == 0`, "work_total workqueue_depth"},
	} {
		if got := strings.Join(MetricNames(tc.expr), " "); got != tc.want {
			t.Errorf("MetricNames(%s) = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestDashboardLint holds the dashboard to the rules of grafana/dashboard-linter, which does
// not build from its module here: every panel and variable queries the ${datasource}
// variable, panels have unique ids, targets unique refIds and a query, rates use
// $__rate_interval, and every selector of a raw metric names its job.
func TestDashboardLint(t *testing.T) {
	d, err := ReadDashboard(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	datasource := Datasource{Type: "prometheus", UID: "${datasource}"}
	if len(d.Templating.List) == 0 || d.Templating.List[0].Name != "datasource" || d.Templating.List[0].Type != "datasource" {
		t.Errorf("the first variable is not the Prometheus data source variable datasource")
	}
	for _, v := range d.Templating.List[1:] {
		if v.Datasource == nil || *v.Datasource != datasource {
			t.Errorf("variable %s: datasource %+v, want %+v", v.Name, v.Datasource, datasource)
		}
	}
	ids := map[int]bool{}
	rangeNotRateInterval := regexp.MustCompile(`\b(?:rate|increase|irate)\([^\[]*\[([^\]]*)\]`)
	selector := regexp.MustCompile(`\b([a-zA-Z_][a-zA-Z0-9_]*)(\{[^}]*\})?`)
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel %q: id %d used twice", p.Title, p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			continue
		}
		if p.Datasource == nil || *p.Datasource != datasource {
			t.Errorf("panel %q: datasource %+v, want %+v", p.Title, p.Datasource, datasource)
		}
		if len(p.Targets) == 0 {
			t.Errorf("panel %q: no query", p.Title)
		}
		refIDs := map[string]bool{}
		for _, target := range p.Targets {
			if target.Expr == "" || target.RefID == "" || refIDs[target.RefID] {
				t.Errorf("panel %q: target %q without a query or with a refId used twice", p.Title, target.RefID)
			}
			refIDs[target.RefID] = true
			for _, m := range rangeNotRateInterval.FindAllStringSubmatch(target.Expr, -1) {
				if m[1] != "$__rate_interval" {
					t.Errorf("panel %q %s: a rate over [%s], want [$__rate_interval]", p.Title, target.RefID, m[1])
				}
			}
			// Recorded series (names with a colon) carry the job of the rules that made them.
			for _, name := range MetricNames(target.Expr) {
				matched := false
				for _, m := range selector.FindAllStringSubmatch(target.Expr, -1) {
					if m[1] == name && strings.Contains(m[2], "job=") {
						matched = true
					}
				}
				if !matched && !strings.Contains(name, ":") {
					t.Errorf("panel %q %s: %s selected without a job matcher", p.Title, target.RefID, name)
				}
			}
		}
	}
}

// TestQueriesNameKnownMetrics: each query of the dashboard and the rules names at least one
// metric, and recorded series the dashboard uses are recorded by rules.yaml. That the other
// names are exported is checked against the running stack (test/e2e TestAlertsFireOnPrometheus).
func TestQueriesNameKnownMetrics(t *testing.T) {
	queries, err := Queries(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := RecordedNames(artifacts)
	if err != nil {
		t.Fatal(err)
	}
	if len(recorded) == 0 {
		t.Fatal("rules.yaml records nothing")
	}
	for _, q := range queries {
		names := MetricNames(q.Expr)
		if len(names) == 0 {
			t.Errorf("%s: names no metric: %s", q.Where, q.Expr)
		}
		for _, name := range names {
			if strings.Contains(name, ":") && !recorded[name] {
				t.Errorf("%s: %s is not recorded by rules.yaml", q.Where, name)
			}
		}
	}
}
