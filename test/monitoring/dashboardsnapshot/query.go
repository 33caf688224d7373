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
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"example.com/example-apiserver/test/monitoring"
)

// series is one line of a panel: its legend, labels and points.
type series struct {
	legend string
	labels model.Metric
	points []model.SamplePair
}

// panelData is a panel and what its queries returned over the range, in the order of its
// targets, each target's series by legend.
type panelData struct {
	panel  monitoring.Panel
	series []series
}

// queryPanels runs every target of d's panels over r, Grafana's variables substituted
// (Dashboard.Substitute). A query Prometheus refuses is an error: the dashboard is broken.
func queryPanels(ctx context.Context, api promv1.API, d *monitoring.Dashboard, r promv1.Range, rateInterval string) ([]panelData, error) {
	panels := make([]panelData, 0, len(d.Panels))
	for _, p := range d.Panels {
		data := panelData{panel: p}
		for _, target := range p.Targets {
			expr := d.Substitute(target.Expr, rateInterval)
			value, warnings, err := api.QueryRange(ctx, expr, r)
			if err != nil {
				return nil, fmt.Errorf("panel %q %s: %w: %s", p.Title, target.RefID, err, expr)
			}
			for _, w := range warnings {
				fmt.Fprintf(os.Stderr, "panel %q %s: %s\n", p.Title, target.RefID, w)
			}
			matrix, ok := value.(model.Matrix)
			if !ok {
				return nil, fmt.Errorf("panel %q %s: a %s, not a range of series: %s", p.Title, target.RefID, value.Type(), expr)
			}
			var found []series
			for _, s := range matrix {
				found = append(found, series{legend: legend(target.LegendFormat, s.Metric), labels: s.Metric, points: s.Values})
			}
			sort.SliceStable(found, func(i, j int) bool { return found[i].legend < found[j].legend })
			data.series = append(data.series, found...)
		}
		panels = append(panels, data)
	}
	return panels, nil
}

var legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)

// legend names a series as Grafana does: format with each {{label}} replaced by the series'
// value of it (empty when it has none), or the series' labels without a format.
func legend(format string, labels model.Metric) string {
	if format == "" {
		return labels.String()
	}
	return strings.TrimSpace(legendLabel.ReplaceAllStringFunc(format, func(ref string) string {
		return string(labels[model.LabelName(legendLabel.FindStringSubmatch(ref)[1])])
	}))
}
