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

// Package memorylimit keeps a long-running process's Go heap under its container's memory
// limit: it sets the runtime's soft limit (GOMEMLIMIT) to a share of the cgroup's, so that
// the runtime collects garbage harder near it instead of the kernel killing the process.
package memorylimit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/go-logr/logr"
	"github.com/spf13/pflag"
	"k8s.io/klog/v2"
)

// Options are the memory flag every command of the project shares.
type Options struct {
	// LimitRatio is the share of the container's memory limit the Go runtime's soft limit
	// (GOMEMLIMIT) is set to; 0 sets none.
	LimitRatio float64

	// limitProvider reports the container's memory limit; tests replace it.
	limitProvider memlimit.Provider
}

// NewOptions returns the default: 90% of the container's limit, leaving the rest for what the
// Go heap does not count (stacks, the runtime's own structures, cgo).
func NewOptions() *Options {
	return &Options{LimitRatio: 0.9, limitProvider: memlimit.FromCgroup}
}

// AddFlags adds the memory flag to fs.
func (o *Options) AddFlags(fs *pflag.FlagSet) {
	fs.Float64Var(&o.LimitRatio, "memory-limit-ratio", o.LimitRatio,
		"Keep the Go heap under this share of the container's memory limit (cgroup memory.max, followed when it changes): "+
			"the runtime collects garbage more often as the heap nears it instead of being killed for memory. "+
			"A GOMEMLIMIT environment variable wins; 0 sets no limit; without a container limit nothing is set.")
}

// Validate reports every invalid option.
func (o *Options) Validate() []error {
	var errs []error
	if math.IsNaN(o.LimitRatio) || o.LimitRatio < 0 || o.LimitRatio > 1 {
		errs = append(errs, fmt.Errorf("--memory-limit-ratio must be between 0 and 1, got %v", o.LimitRatio))
	}
	return errs
}

// limitRefreshInterval is how often the container's limit is read again: a pod's memory can
// be resized in place.
const limitRefreshInterval = time.Minute

// Apply sets the memory limit and follows the container's until ctx is done.
func (o *Options) Apply(ctx context.Context) {
	if o.LimitRatio == 0 {
		return
	}
	// The library logs what it set, or why it set nothing: outside a container, or with
	// cgroups it cannot read, the process runs without a limit rather than not at all.
	_, _ = memlimit.Set(
		memlimit.WithRatio(o.LimitRatio),
		memlimit.WithProvider(o.limitProvider),
		memlimit.WithRefreshInterval(ctx, limitRefreshInterval),
		memlimit.WithLogger(slog.New(logr.ToSlogHandler(klog.FromContext(ctx).WithName("memory-limit")))),
	)
}
