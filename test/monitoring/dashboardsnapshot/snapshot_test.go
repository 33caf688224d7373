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
	"image/color"
	"image/png"
	"path/filepath"
	"slices"
	"testing"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"example.com/example-apiserver/test/e2e/framework"
	"example.com/example-apiserver/test/monitoring"
)

// TestQueryAndDrawPanels runs panels' queries on a real Prometheus (Debian's) and draws them:
// constant expressions need no scraped data.
func TestQueryAndDrawPanels(t *testing.T) {
	prom, err := framework.StartPrometheus(filepath.Join(t.TempDir(), "prometheus"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(prom.Stop)
	api, err := prom.API()
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, expr, legendFormat string
		wantLegends              []string
		wantValue                float64
	}{
		{
			name: "a matrix", expr: `label_replace(vector(3), "namespace", "shop", "", "")`, legendFormat: "{{namespace}} runs",
			wantLegends: []string{"shop runs"}, wantValue: 3,
		},
		{
			name: "an empty result", expr: `absent(vector(1))`, legendFormat: "{{namespace}}",
		},
		{
			// Unsubstituted, label_replace would read $namespace and $__rate_interval as
			// references to groups its regular expression does not have: empty values.
			name:         "the template variables substituted",
			expr:         `label_replace(label_replace(vector(2), "namespace", "$namespace", "", ""), "window", "${__rate_interval}", "", "")`,
			legendFormat: "{{namespace}} over {{window}}", wantLegends: []string{".* over 1m"}, wantValue: 2,
		},
	}
	d := &monitoring.Dashboard{Title: "test"}
	// As dashboard.json has it.
	variables := `{"list": [{"name": "namespace", "type": "query", "includeAll": true, "allValue": ".*"}]}`
	if err := json.Unmarshal([]byte(variables), &d.Templating); err != nil {
		t.Fatal(err)
	}
	for i, tc := range cases {
		p := monitoring.Panel{ID: i + 1, Type: "timeseries", Title: tc.name, Targets: []monitoring.Target{{RefID: "A", Expr: tc.expr, LegendFormat: tc.legendFormat}}}
		p.GridPos.X, p.GridPos.Y, p.GridPos.W, p.GridPos.H = 12*(i%2), 8*(i/2), 12, 8
		p.FieldConfig.Defaults.Unit = "short"
		d.Panels = append(d.Panels, p)
	}

	end := time.Now().Truncate(time.Minute)
	r := promv1.Range{Start: end.Add(-10 * time.Minute), End: end, Step: 10 * time.Second}
	panels, err := queryPanels(context.Background(), api, d, r, "1m")
	if err != nil {
		t.Fatal(err)
	}
	image, err := drawDashboard(d, panels, r, "1m", 800)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(image))
	if err != nil {
		t.Fatal(err)
	}
	l := newLayout(d, 800)
	if got := img.Bounds().Size(); got.X != 800 || got.Y != int(l.height) {
		t.Errorf("the image is %v, want 800x%d", got, int(l.height))
	}

	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var legends []string
			for _, s := range panels[i].series {
				legends = append(legends, s.legend)
				if want := int(r.End.Sub(r.Start)/r.Step) + 1; len(s.points) != want {
					t.Errorf("series %s: %d points, want one a step: %d", s.legend, len(s.points), want)
				}
				for _, pt := range s.points {
					if float64(pt.Value) != tc.wantValue {
						t.Fatalf("series %s: %v at %v, want %v", s.legend, pt.Value, pt.Timestamp, tc.wantValue)
					}
				}
			}
			if !slices.Equal(legends, tc.wantLegends) {
				t.Errorf("legends %q, want %q", legends, tc.wantLegends)
			}
			// The series' colour inside the panel: its line and legend, or nothing ("No data").
			rect := l.rect(d.Panels[i])
			drawn := 0
			for x := int(rect.Min.X); x < int(rect.Max.X); x++ {
				for y := int(l.height - rect.Max.Y); y < int(l.height-rect.Min.Y); y++ {
					if near(img.At(x, y), seriesColors[0]) {
						drawn++
					}
				}
			}
			if wantDrawn := len(tc.wantLegends) > 0; (drawn > 0) != wantDrawn {
				t.Errorf("%d pixels of the series' colour in the panel; want some: %v", drawn, wantDrawn)
			}
		})
	}
}

// near says whether a is b but for antialiasing.
func near(a, b color.Color) bool {
	ar, ag, ab, _ := a.RGBA()
	br, bg, bb, _ := b.RGBA()
	d := func(x, y uint32) bool { return max(x, y)-min(x, y) <= 40<<8 }
	return d(ar, br) && d(ag, bg) && d(ab, bb)
}

func TestFormatValue(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		unit string
		want string
	}{
		{0.25, "s", "250 ms"},
		{0.0004, "s", "400 µs"},
		{90, "s", "1.5 min"},
		{1500, "reqps", "1.5 k req/s"},
		{0.015, "percentunit", "1.5%"},
		{3 << 20, "bytes", "3 MiB"},
		{123456, "short", "123 k"},
		{2.5, "short", "2.5"},
		{0, "short", "0"},
	} {
		if got := formatValue(tc.v, tc.unit); got != tc.want {
			t.Errorf("formatValue(%v, %s) = %q, want %q", tc.v, tc.unit, got, tc.want)
		}
	}
}
