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

package framework

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"sigs.k8s.io/yaml"
)

// ScrapeConfigs are the scrape jobs of the local stack's components under the job names
// artifacts/monitoring/rules.yaml expects, each presenting the bearer token in tokenFile, as
// a Prometheus in the cluster presents its ServiceAccount's.
func (s *Stack) ScrapeConfigs(tokenFile string) ([]ScrapeConfig, error) {
	pki := s.Env["LOCAL_UP_PKI_DIR"]
	kas, err := url.Parse(s.Env["KUBE_APISERVER_URL"])
	if err != nil || pki == "" || s.Env["EXAMPLE_APISERVER_PORT"] == "" || s.Env["EXAMPLE_CONTROLLER_MANAGER_PORT"] == "" {
		return nil, fmt.Errorf("the stack's env file lacks the ports or the PKI directory: %v", err)
	}
	job := func(name string, targets []string, tls TLSConfig) ScrapeConfig {
		return ScrapeConfig{
			JobName:       name,
			Scheme:        "https",
			StaticConfigs: []StaticConfig{{Targets: targets}},
			TLSConfig:     &tls,
			Authorization: &Authorization{CredentialsFile: tokenFile},
		}
	}
	return []ScrapeConfig{
		job("example-apiserver", []string{"127.0.0.1:" + s.Env["EXAMPLE_APISERVER_PORT"]}, TLSConfig{CAFile: filepath.Join(pki, "example-serving-ca.crt")}),
		// Its serving certificate is self-signed in memory unless --tls-cert-file says otherwise.
		// Its processes: a failover test replaces the stack's own with replicas on other ports.
		job("example-controller-manager", s.ComponentTargets("example-controller-manager"), TLSConfig{InsecureSkipVerify: true}),
		job("kube-apiserver", []string{kas.Host}, TLSConfig{CAFile: filepath.Join(pki, "ca.crt")}),
	}, nil
}

// StartMonitoringPrometheus starts a Prometheus in dir that scrapes the stack's components
// (ScrapeConfigs) with token, and extra jobs, and evaluates rules, a rules file's content.
func (s *Stack) StartMonitoringPrometheus(dir, token string, rules []byte, extra ...ScrapeConfig) (*Prometheus, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	tokenFile, rulesFile := filepath.Join(dir, "token"), filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(rulesFile, rules, 0o644); err != nil {
		return nil, err
	}
	jobs, err := s.ScrapeConfigs(tokenFile)
	if err != nil {
		return nil, err
	}
	return StartPrometheus(dir, []string{rulesFile}, append(jobs, extra...)...)
}

// StartLocalPrometheus starts a Prometheus in dir that scrapes the stack as one in the cluster
// would, with a token of the ServiceAccount example-monitoring/prometheus (bound to
// artifacts/monitoring/prometheus-rbac.yaml), and evaluates artifacts/monitoring/rules.yaml as it
// is: make prometheus and make dashboard-snapshot.
func (s *Stack) StartLocalPrometheus(dir string) (*Prometheus, error) {
	token, err := s.ServiceAccountToken("example-monitoring", "prometheus", "prometheus-rbac.yaml", "example-apiserver:metrics-reader", 24*time.Hour)
	if err != nil {
		return nil, err
	}
	rules, err := os.ReadFile(filepath.Join(s.Root, "artifacts", "monitoring", "rules.yaml"))
	if err != nil {
		return nil, err
	}
	return s.StartMonitoringPrometheus(dir, token, rules)
}

// TargetsUp is a condition to poll: Prometheus has at least min targets and scrapes every one
// without error. Its status lists each target's job, health and last error.
func TargetsUp(prom promv1.API, min int) func() (bool, string) {
	return func() (bool, string) {
		targets, err := prom.Targets(context.Background())
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
		return up == len(targets.Active) && len(targets.Active) >= min, strings.Join(status, "; ")
	}
}

// ServiceAccountToken applies artifacts/monitoring/rbacFile, binds its clusterRole to the
// ServiceAccount ns/name (creating what is missing) and returns a token of it, valid for
// duration: the credential a program in the cluster, Prometheus say, would scrape with.
func (s *Stack) ServiceAccountToken(ns, name, rbacFile, clusterRole string, duration time.Duration) (string, error) {
	steps := [][]string{
		{"create", "namespace", ns},
		{"apply", "-f", filepath.Join(s.Root, "artifacts", "monitoring", rbacFile)},
		{"create", "serviceaccount", name, "-n", ns},
		{"create", "clusterrolebinding", ns + ":" + name, "--clusterrole=" + clusterRole, "--serviceaccount=" + ns + ":" + name},
	}
	for _, args := range steps {
		if out, err := s.Kubectl(args...); err != nil && !strings.Contains(out, "already exists") {
			return "", fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	out, err := s.Kubectl("create", "token", name, "-n", ns, "--duration="+duration.String())
	if err != nil {
		return "", fmt.Errorf("kubectl create token: %w\n%s", err, out)
	}
	return strings.TrimSpace(out), nil
}

// rangeSelector matches the duration of a range selector, e.g. the 5m of [5m].
var rangeSelector = regexp.MustCompile(`\[([0-9]+(?:ms|[smhdwy])(?:[0-9]+(?:ms|[smhdwy]))*)\]`)

// ShortenRules returns a Prometheus rules file with every `for:` and range selector of rules
// divided by divisor, so that a test sees in minutes what the file pages on in an hour. All
// else (expressions, thresholds, labels, annotations) stays as the file has it.
func ShortenRules(rules []byte, divisor int64) ([]byte, error) {
	var file struct {
		Groups []map[string]any `json:"groups"`
	}
	if err := yaml.UnmarshalStrict(rules, &file); err != nil {
		return nil, err
	}
	shorten := func(d string) (string, error) {
		parsed, err := model.ParseDuration(d)
		if err != nil {
			return "", err
		}
		return model.Duration(time.Duration(parsed) / time.Duration(divisor)).String(), nil
	}
	for _, group := range file.Groups {
		groupRules, _ := group["rules"].([]any)
		for _, r := range groupRules {
			rule, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("group %v: a rule is not a map", group["name"])
			}
			if d, ok := rule["for"].(string); ok {
				short, err := shorten(d)
				if err != nil {
					return nil, fmt.Errorf("rule %v: for: %w", rule["alert"], err)
				}
				rule["for"] = short
			}
			expr, _ := rule["expr"].(string)
			var exprErr error
			rule["expr"] = rangeSelector.ReplaceAllStringFunc(expr, func(selector string) string {
				short, err := shorten(strings.Trim(selector, "[]"))
				if err != nil {
					exprErr = err
				}
				return "[" + short + "]"
			})
			if exprErr != nil {
				return nil, fmt.Errorf("rule %v%v: expr: %w", rule["alert"], rule["record"], exprErr)
			}
		}
	}
	return yaml.Marshal(file)
}

// API is a client of Prometheus' HTTP API.
func (p *Prometheus) API() (promv1.API, error) {
	client, err := api.NewClient(api.Config{Address: p.URL})
	if err != nil {
		return nil, err
	}
	return promv1.NewAPI(client), nil
}

// Describe reports Prometheus' targets (health, last error) and its alerts, for a failed test.
func (p *Prometheus) Describe(ctx context.Context) string {
	prom, err := p.API()
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	targets, err := prom.Targets(ctx)
	if err != nil {
		fmt.Fprintf(&b, "targets: %v\n", err)
	}
	for _, target := range targets.Active {
		fmt.Fprintf(&b, "target %s %s: %s %s\n", target.Labels["job"], target.ScrapeURL, target.Health, target.LastError)
	}
	alerts, err := prom.Alerts(ctx)
	if err != nil {
		fmt.Fprintf(&b, "alerts: %v\n", err)
	}
	var lines []string
	for _, alert := range alerts.Alerts {
		lines = append(lines, fmt.Sprintf("alert %s %s since %s value %s", alert.Labels, alert.State, alert.ActiveAt.Format(time.RFC3339), alert.Value))
	}
	sort.Strings(lines)
	b.WriteString(strings.Join(lines, "\n"))
	return b.String()
}
