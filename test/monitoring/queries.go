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
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Query is a PromQL expression of artifacts/monitoring and where it is.
type Query struct {
	Where string
	Expr  string
}

// Dashboard is the part of a Grafana dashboard the checks and the snapshot
// (dashboardsnapshot) read.
type Dashboard struct {
	Title      string  `json:"title"`
	Panels     []Panel `json:"panels"`
	Templating struct {
		List []struct {
			Name       string          `json:"name"`
			Type       string          `json:"type"`
			Datasource *Datasource     `json:"datasource"`
			Query      json.RawMessage `json:"query"`
			IncludeAll bool            `json:"includeAll"`
			AllValue   string          `json:"allValue"`
		} `json:"list"`
	} `json:"templating"`
}

// Datasource is the data source a panel or variable queries.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Panel is a dashboard panel; a row has no targets.
type Panel struct {
	ID         int         `json:"id"`
	Type       string      `json:"type"`
	Title      string      `json:"title"`
	Datasource *Datasource `json:"datasource"`
	// GridPos places the panel on the dashboard's grid of 24 columns, y counting rows down.
	GridPos struct {
		X int `json:"x"`
		Y int `json:"y"`
		W int `json:"w"`
		H int `json:"h"`
	} `json:"gridPos"`
	FieldConfig struct {
		Defaults struct {
			// Unit is Grafana's unit of the values: short, s, reqps, percentunit, bytes ...
			Unit string `json:"unit"`
		} `json:"defaults"`
	} `json:"fieldConfig"`
	Targets []Target `json:"targets"`
}

// Target is a query of a panel.
type Target struct {
	RefID string `json:"refId"`
	Expr  string `json:"expr"`
	// LegendFormat names a series by its labels, e.g. "{{namespace}} failed".
	LegendFormat string `json:"legendFormat"`
}

// ReadDashboard reads dir/dashboard.json.
func ReadDashboard(dir string) (*Dashboard, error) {
	data, err := os.ReadFile(filepath.Join(dir, "dashboard.json"))
	if err != nil {
		return nil, err
	}
	var d Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dashboard.json: %w", err)
	}
	return &d, nil
}

// Substitute returns expr with Grafana's variables filled in as the dashboard shows
// everything: $__rate_interval is rateInterval (Grafana derives it from the scrape interval
// and the step), each variable with an All option is its allValue (.* without one).
func (d *Dashboard) Substitute(expr, rateInterval string) string {
	pairs := []string{"${__rate_interval}", rateInterval, "$__rate_interval", rateInterval}
	for _, v := range d.Templating.List {
		if !v.IncludeAll {
			continue
		}
		all := v.AllValue
		if all == "" {
			all = ".*"
		}
		pairs = append(pairs, "${"+v.Name+"}", all, "$"+v.Name, all)
	}
	return strings.NewReplacer(pairs...).Replace(expr)
}

// labelValues is the Grafana variable query label_values(selector, label).
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\)$`)

// Queries returns every PromQL expression of dir's dashboard.json (panel targets, the
// selectors of label_values variables) and rules.yaml, with Grafana's variables left in.
func Queries(dir string) ([]Query, error) {
	d, err := ReadDashboard(dir)
	if err != nil {
		return nil, err
	}
	var queries []Query
	for _, p := range d.Panels {
		for _, target := range p.Targets {
			queries = append(queries, Query{Where: fmt.Sprintf("dashboard.json panel %q %s", p.Title, target.RefID), Expr: target.Expr})
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			return nil, fmt.Errorf("dashboard.json variable %s: %w", v.Name, err)
		}
		m := labelValues.FindStringSubmatch(q.Query)
		if m == nil {
			return nil, fmt.Errorf("dashboard.json variable %s: %q is not label_values(selector, label)", v.Name, q.Query)
		}
		queries = append(queries, Query{Where: "dashboard.json variable " + v.Name, Expr: m[1]})
	}

	data, err := os.ReadFile(filepath.Join(dir, "rules.yaml"))
	if err != nil {
		return nil, err
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert  string `json:"alert"`
				Record string `json:"record"`
				Expr   string `json:"expr"`
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		return nil, fmt.Errorf("rules.yaml: %w", err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			queries = append(queries, Query{Where: "rules.yaml " + r.Alert + r.Record, Expr: r.Expr})
		}
	}
	return queries, nil
}

// RecordedNames are the series names rules.yaml records.
func RecordedNames(dir string) (map[string]bool, error) {
	data, err := os.ReadFile(filepath.Join(dir, "rules.yaml"))
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*- record: (\S+)$`).FindAllStringSubmatch(string(data), -1) {
		names[m[1]] = true
	}
	return names, nil
}

var (
	stringLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|` + "`[^`]*`")
	// Label lists of grouping and vector matching, label matchers and ranges name no metric.
	labelList = regexp.MustCompile(`\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)|\{[^}]*\}|\[[^\]]*\]`)
	token     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*\s*\(?|[0-9][0-9a-zA-Z_.]*|\$[a-zA-Z0-9_]+`)
	keywords  = map[string]bool{
		"and": true, "or": true, "unless": true, "bool": true, "offset": true, "inf": true, "nan": true,
		// Aggregation operators, when their grouping comes first: sum by (x) (...).
		"sum": true, "min": true, "max": true, "avg": true, "count": true, "stddev": true, "stdvar": true,
		"topk": true, "bottomk": true, "quantile": true, "count_values": true, "group": true,
	}
)

// MetricNames returns the metric names a PromQL expression selects, sorted: what is left
// once strings, label lists, matchers, ranges, functions, keywords, numbers and Grafana
// variables are taken out. Enough for the expressions of artifacts/monitoring; not a parser.
func MetricNames(expr string) []string {
	expr = stringLiteral.ReplaceAllString(expr, `""`)
	expr = labelList.ReplaceAllString(expr, " ")
	seen := map[string]bool{}
	for _, t := range token.FindAllString(expr, -1) {
		if strings.HasSuffix(t, "(") || t[0] == '$' || (t[0] >= '0' && t[0] <= '9') {
			continue // a function call, a variable or a number
		}
		if t = strings.TrimSpace(t); !keywords[strings.ToLower(t)] {
			seen[t] = true
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
