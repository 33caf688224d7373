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

package memorylimit

import (
	"context"
	"errors"
	"math"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		ratio float64
		valid bool
	}{
		{name: "default", ratio: 0.9, valid: true},
		{name: "off", ratio: 0, valid: true},
		{name: "the whole limit", ratio: 1, valid: true},
		{name: "above the limit", ratio: 1.5},
		{name: "negative", ratio: -0.1},
		{name: "NaN", ratio: math.NaN()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			errs := (&Options{LimitRatio: tc.ratio}).Validate()
			if valid := len(errs) == 0; valid != tc.valid {
				t.Errorf("Validate() = %v, want valid %v", errs, tc.valid)
			}
		})
	}
}

func TestApplySetsTheLimit(t *testing.T) {
	const gib = 1 << 30
	for _, tc := range []struct {
		name       string
		ratio      float64
		provider   memlimit.Provider
		gomemlimit string // the GOMEMLIMIT environment variable, if set
		want       int64  // the runtime's limit after Apply; -1: unchanged
	}{
		{name: "share of the container's limit", ratio: 0.9, provider: memlimit.Limit(gib), want: gib * 9 / 10},
		{name: "half of it", ratio: 0.5, provider: memlimit.Limit(gib), want: gib / 2},
		{name: "no container limit", ratio: 0.9, provider: func() (uint64, error) { return 0, memlimit.ErrNoLimit }, want: math.MaxInt64},
		{name: "limit unknown: none set, no error", ratio: 0.9, provider: func() (uint64, error) { return 0, errors.New("no cgroup") }, want: -1},
		{name: "GOMEMLIMIT wins", ratio: 0.9, provider: memlimit.Limit(gib), gomemlimit: "300MiB", want: -1},
		{name: "ratio 0 sets none", ratio: 0, provider: memlimit.Limit(gib), want: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const before = 7 * gib
			previous := debug.SetMemoryLimit(before)
			t.Cleanup(func() { debug.SetMemoryLimit(previous) })
			if tc.gomemlimit != "" {
				t.Setenv("GOMEMLIMIT", tc.gomemlimit)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()

			o := &Options{LimitRatio: tc.ratio, limitProvider: tc.provider}
			o.Apply(ctx)

			want := tc.want
			if want == -1 {
				want = before
			}
			if got := debug.SetMemoryLimit(-1); got != want {
				t.Errorf("memory limit = %d, want %d", got, want)
			}
		})
	}
}
