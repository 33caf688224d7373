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
	"example.com/example-apiserver/test/localstack"
)

const (
	// rulesDivisor shortens the rules' windows and `for:` for the test: CronTabRunsMissed
	// looks back 1 minute instead of 10, CronTabRunsFailing 3 instead of 30.
	rulesDivisor = 10
	// alertDeadline bounds an alert's change: the next minute boundaries that bring a run,
	// its miss or failure, then a window of the shortened rules to pass.
	alertDeadline = 5 * time.Minute
)

// serviceAccountToken creates the ServiceAccount ns/name bound to clusterRole, applied from
// artifacts/monitoring/rbacFile, and returns a token of it.
func serviceAccountToken(t *testing.T, ns, name, rbacFile, clusterRole string) string {
	t.Helper()
	binding := ns + ":" + name
	createNamespace(t, ns)
	stack.MustKubectl(t, "apply", "-f", filepath.Join(stack.Root, "artifacts", "monitoring", rbacFile))
	stack.MustKubectl(t, "create", "serviceaccount", name, "-n", ns)
	stack.MustKubectl(t, "create", "clusterrolebinding", binding, "--clusterrole="+clusterRole, "--serviceaccount="+ns+":"+name)
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "clusterrolebinding", binding) })
	return strings.TrimSpace(stack.MustKubectl(t, "create", "token", name, "-n", ns, "--duration=2h"))
}

// startMonitoringPrometheus starts a Prometheus that scrapes the stack's components with a
// ServiceAccount token bound to artifacts/monitoring/prometheus-rbac.yaml, as one in the
// cluster would, and evaluates artifacts/monitoring/rules.yaml shortened by rulesDivisor. It
// returns once every target is up and every rule evaluates without error.
func startMonitoringPrometheus(t *testing.T) (*framework.Prometheus, promv1.API) {
	t.Helper()
	token := serviceAccountToken(t, "e2e-monitoring", "prometheus", "prometheus-rbac.yaml", "example-apiserver:metrics-reader")
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile(filepath.Join(stack.Root, "artifacts", "monitoring", "rules.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rules, err := framework.ShortenRules(source, rulesDivisor)
	if err != nil {
		t.Fatalf("artifacts/monitoring/rules.yaml: %v", err)
	}
	rulesFile := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(rulesFile, rules, 0o644); err != nil {
		t.Fatal(err)
	}
	jobs, err := stack.ScrapeConfigs(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	prom, err := framework.StartPrometheus(filepath.Join(dir, "prometheus"), []string{rulesFile}, jobs...)
	if err != nil {
		t.Fatalf("starting prometheus: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus:\n%s\n==> its log (last lines) <==\n%s", prom.Describe(context.Background()),
				localstack.Tail(filepath.Join(dir, "prometheus", "prometheus.log"), 20))
		}
		prom.Stop()
	})
	api, err := prom.API()
	if err != nil {
		t.Fatal(err)
	}

	stack.Eventually(t, time.Minute, "every target up (delegated authentication and authorization of /metrics)", func() (bool, string) {
		targets, err := api.Targets(context.Background())
		if err != nil {
			return false, err.Error()
		}
		var status []string
		up := 0
		for _, target := range targets.Active {
			status = append(status, fmt.Sprintf("%s %s %s", target.Labels["job"], target.Health, target.LastError))
			if target.Health == promv1.HealthGood {
				up++
			}
		}
		return up == len(jobs) && len(targets.Active) == len(jobs), strings.Join(status, "; ")
	})
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
	const missedNS, failingNS = "e2e-alert-missed", "e2e-alert-failing"
	createNamespace(t, missedNS)
	storeCronTab(t, everyMinute(missedNS, "hangs", localstack.HangImage, func(spec *examplev1.CronTabSpec) {
		spec.ConcurrencyPolicy = examplev1.ForbidConcurrent
	}))
	// Three failing CronTabs reach the three failures the alert wants within two minute
	// boundaries.
	createNamespace(t, failingNS)
	failing := []string{"fails-0", "fails-1", "fails-2"}
	for _, name := range failing {
		storeCronTab(t, everyMinute(failingNS, name, localstack.FailImage, func(spec *examplev1.CronTabSpec) {
			spec.BackoffLimit = ptr.To[int32](0)
		}))
	}
	waitForAlert(t, api, "CronTabRunsMissed", missedNS, true)
	waitForAlert(t, api, "CronTabRunsFailing", failingNS, true)

	// The fixes of the runbooks: an image that works, and the hanging run deleted.
	fixed := time.Now()
	image := fmt.Sprintf(`{"spec":{"image":%q}}`, succeedingImage)
	stack.MustKubectl(t, "patch", "crontab", "hangs", "-n", missedNS, "--type=merge", "-p", image)
	stack.MustKubectl(t, "delete", "jobs", "-n", missedNS, "-l", example.CronTabSelectorLabel+"=hangs", "--wait=false")
	for _, name := range failing {
		stack.MustKubectl(t, "patch", "crontab", name, "-n", failingNS, "--type=merge", "-p", image)
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
}
