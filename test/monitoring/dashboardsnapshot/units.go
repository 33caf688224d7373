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
	"math"
	"strconv"
	"strings"
)

// formatValue writes v in Grafana's unit: s (seconds), reqps, percentunit (a ratio shown as a
// percentage), bytes (IEC), and short or none (SI prefixes) for the rest.
func formatValue(v float64, unit string) string {
	switch unit {
	case "s":
		switch a := math.Abs(v); {
		case a == 0:
			return "0 s"
		case a < 1e-3:
			return number(v*1e6) + " µs"
		case a < 1:
			return number(v*1e3) + " ms"
		case a < 60:
			return number(v) + " s"
		case a < 3600:
			return number(v/60) + " min"
		default:
			return number(v/3600) + " h"
		}
	case "reqps":
		return short(v) + " req/s"
	case "percentunit":
		return number(v*100) + "%"
	case "bytes":
		return scaled(v, 1024, " B", " KiB", " MiB", " GiB", " TiB")
	}
	return short(v)
}

// short is v with an SI prefix from k up.
func short(v float64) string {
	return scaled(v, 1000, "", " k", " M", " G", " T")
}

// scaled divides v by base until it is below base or the suffixes run out, and appends the
// suffix of that power.
func scaled(v, base float64, suffixes ...string) string {
	i := 0
	for ; math.Abs(v) >= base && i < len(suffixes)-1; i++ {
		v /= base
	}
	return number(v) + suffixes[i]
}

// number is v with three significant digits (but no more than three after the point), no
// trailing zeros.
func number(v float64) string {
	if v == 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	digits := min(3, max(0, 2-int(math.Floor(math.Log10(math.Abs(v))))))
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}
