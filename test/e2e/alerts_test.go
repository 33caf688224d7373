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
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"k8s.io/utils/ptr"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/monitoring"
	"example.com/example-apiserver/test/utils"
)

const (
	// rulesDivisor shortens the rules' windows and `for:` for the test: CronTabRunsMissed
	// looks back 1 minute instead of 10, CronTabRunsFailing 3 instead of 30.
	rulesDivisor = 10
	// alertDeadline bounds an alert's change: the next minute boundaries that bring a run,
	// its miss or failure, then a window of the shortened rules to pass.
	alertDeadline = 5 * time.Minute
)

// serviceAccountToken is Stack.ServiceAccountToken for a test, in a namespace of its own: the
// namespace and the ClusterRoleBinding named after it are the test's, deleted when it ends.
func serviceAccountToken(t *testing.T, nsBase, name, rbacFile, clusterRole string) string {
	t.Helper()
	ns := stack.Namespace(t, nsBase)
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "clusterrolebinding", ns+":"+name) })
	token, err := stack.ServiceAccountToken(ns, name, rbacFile, clusterRole, 2*time.Hour)
	if err != nil {
		stack.Fatalf(t, "%v", err)
	}
	return token
}

// startMonitoringPrometheus starts a Prometheus that scrapes the stack's components with a
// ServiceAccount token bound to artifacts/monitoring/prometheus-rbac.yaml, as one in the
// cluster would, and evaluates artifacts/monitoring/rules.yaml shortened by rulesDivisor. It
// returns once every target is up and every rule evaluates without error.
func startMonitoringPrometheus(t *testing.T) (*framework.Prometheus, promv1.API) {
	t.Helper()
	token := serviceAccountToken(t, "e2e-monitoring", "prometheus", "prometheus-rbac.yaml", "example-apiserver:metrics-reader")
	source, err := os.ReadFile(filepath.Join(stack.Root, "artifacts", "monitoring", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := framework.ShortenRules(source, rulesDivisor)
	if err != nil {
		t.Fatalf("artifacts/monitoring/rules.yaml: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "prometheus")
	prom, err := stack.StartMonitoringPrometheus(dir, token, rules)
	if err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus:\n%s\n==> its log (last lines) <==\n%s", prom.Describe(context.Background()),
				utils.Tail(filepath.Join(dir, "prometheus.log"), 20))
		}
		prom.Stop()
	})
	api, err := prom.API()
	if err != nil {
		t.Fatal(err)
	}

	// The jobs rules.yaml names, one target each but the controller, which has one per process
	// running.
	stack.Eventually(t, time.Minute, "every target up (delegated authentication and authorization of /metrics)", framework.TargetsUp(api, 3))
	stack.Eventually(t, time.Minute, "every rule of rules.yaml loaded and evaluated without error", func() (bool, string) {
		result, err := api.Rules(context.Background(), nil)
		if err != nil {
			return false, err.Error()
		}
		var bad []string
		evaluated := 0
		for _, group := range result.Groups {
			for _, rule := range group.Rules {
				switch r := rule.(type) {
				case promv1.AlertingRule:
					evaluated++
					if r.Health != promv1.RuleHealthGood {
						bad = append(bad, fmt.Sprintf("%s: %s %s", r.Name, r.Health, r.LastError))
					}
				case promv1.RecordingRule:
					evaluated++
					if r.Health != promv1.RuleHealthGood {
						bad = append(bad, fmt.Sprintf("%s: %s %s", r.Name, r.Health, r.LastError))
					}
				}
			}
		}
		want := strings.Count(string(source), "\n  - alert: ") + strings.Count(string(source), "\n  - record: ")
		return evaluated == want && len(bad) == 0, fmt.Sprintf("%d of %d rules evaluated; not healthy: %v", evaluated, want, bad)
	})
	return prom, api
}

// waitForAlert polls Prometheus until alert for namespace is firing (firing true) or gone.
func waitForAlert(t *testing.T, api promv1.API, alert, namespace string, firing bool) {
	t.Helper()
	what := fmt.Sprintf("alert %s{namespace=%q} firing", alert, namespace)
	if !firing {
		what = fmt.Sprintf("alert %s{namespace=%q} resolved", alert, namespace)
	}
	stack.Eventually(t, alertDeadline, what, func() (bool, string) {
		alerts, err := api.Alerts(context.Background())
		if err != nil {
			return false, err.Error()
		}
		state := "absent"
		for _, a := range alerts.Alerts {
			if string(a.Labels["alertname"]) == alert && string(a.Labels["namespace"]) == namespace {
				state = fmt.Sprintf("%s since %s, value %s", a.State, a.ActiveAt.Format(time.RFC3339), a.Value)
				if firing {
					return a.State == promv1.AlertStateFiring, state
				}
				return false, state
			}
		}
		return !firing, state
	})
}

// TestAlertsFireOnPrometheus: the rules of artifacts/monitoring, on a real Prometheus scraping
// the stack, page on a CronTab that misses its runs and on CronTabs whose runs keep failing,
// and stop paging once the runs are fixed.
func TestAlertsFireOnPrometheus(t *testing.T) {
	stack.RequireLocal(t, kwokImages+"; its Prometheus scrapes the stack's processes")
	t.Parallel()
	_, api := startMonitoringPrometheus(t)

	// Forbid with a run that never ends: every later run time is missed.
	missedNS := stack.Namespace(t, "e2e-alert-missed")
	storeCronTab(t, everyMinute(missedNS, "hangs", utils.HangImage, func(spec *examplev1.CronTabSpec) {
		spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
	}))
	// Three failing CronTabs reach the three failures the alert wants within two minute
	// boundaries.
	failingNS := stack.Namespace(t, "e2e-alert-failing")
	failing := []string{"fails-0", "fails-1", "fails-2"}
	for _, name := range failing {
		storeCronTab(t, everyMinute(failingNS, name, utils.FailImage, func(spec *examplev1.CronTabSpec) {
			spec.BackoffLimit = ptr.To[int32](0)
		}))
	}
	waitForAlert(t, api, "CronTabRunsMissed", missedNS, true)
	waitForAlert(t, api, "CronTabRunsFailing", failingNS, true)

	// The fixes of the runbooks: an image that works, and the hanging run deleted.
	fixed := time.Now()
	image := fmt.Sprintf(`{"spec":{"image":%q}}`, succeedingImage)
	stack.MustKubectl(t, "patch", "crontabs.v1.example.com", "hangs", "-n", missedNS, "--type=merge", "-p", image)
	stack.MustKubectl(t, "delete", "jobs", "-n", missedNS, "-l", example.CronTabSelectorLabel+"=hangs", "--wait=false")
	for _, name := range failing {
		stack.MustKubectl(t, "patch", "crontabs.v1.example.com", name, "-n", failingNS, "--type=merge", "-p", image)
	}
	succeededSinceFix := func(s runState) bool {
		return s.ct.Status.LastSuccessfulTime != nil && s.ct.Status.LastSuccessfulTime.After(fixed)
	}
	waitForRuns(t, missedNS, "hangs", "a run succeeded after the fix", tickDeadline+jobDeadline, succeededSinceFix)
	for _, name := range failing {
		waitForRuns(t, failingNS, name, "a run succeeded after the fix", tickDeadline+jobDeadline, succeededSinceFix)
	}
	waitForAlert(t, api, "CronTabRunsMissed", missedNS, false)
	waitForAlert(t, api, "CronTabRunsFailing", failingNS, false)

	t.Run("every query of the dashboard and the rules names exported metrics and evaluates", func(t *testing.T) {
		checkQueries(t, api)
	})
}

// onlyOnFailure are metrics the components export only once they count a failure, which a
// healthy stack has none of: the check cannot see them exported.
var onlyOnFailure = map[string]string{
	"etcd_request_errors_total": "counted on a failed request to etcd",
}

// checkQueries: every metric the dashboard and the rules of artifacts/monitoring name is
// among those Prometheus has scraped from the stack's components (or recorded by the rules),
// and every query, Grafana's variables filled in, evaluates without error.
func checkQueries(t *testing.T, api promv1.API) {
	dir := filepath.Join(stack.Root, "artifacts", "monitoring")
	queries, err := monitoring.Queries(dir)
	if err != nil {
		t.Fatal(err)
	}
	recorded, err := monitoring.RecordedNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	dashboard, err := monitoring.ReadDashboard(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A refused login makes login_requests_total appear; an unknown user locks nobody out.
	login := "apiVersion: login.example.com/v1alpha1\nkind: LoginRequest\nspec: {username: e2e-dashboard-nobody, password: wrong}\n"
	if out, err := stack.KubectlWithInput([]byte(login), "create", "-f", "-"); err == nil {
		t.Fatalf("a login of an unknown user succeeded:\n%s", out)
	}
	var exported map[string]bool
	stack.Eventually(t, time.Minute, "login_requests_total scraped", func() (bool, string) {
		names, _, err := api.LabelValues(context.Background(), "__name__", nil, time.Now().Add(-time.Hour), time.Now())
		if err != nil {
			return false, err.Error()
		}
		exported = map[string]bool{}
		for _, name := range names {
			exported[string(name)] = true
		}
		return exported["login_requests_total"], fmt.Sprintf("%d names", len(names))
	})
	for _, q := range queries {
		for _, name := range monitoring.MetricNames(q.Expr) {
			if !exported[name] && !recorded[name] && onlyOnFailure[name] == "" {
				t.Errorf("%s: no component exports %s: %s", q.Where, name, q.Expr)
			}
		}
		if _, warnings, err := api.Query(context.Background(), dashboard.Substitute(q.Expr, "1m"), time.Now()); err != nil || len(warnings) > 0 {
			t.Errorf("%s: %v %v: %s", q.Where, err, warnings, q.Expr)
		}
	}
}
