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

package exampleinitializer

import (
	"context"
	"errors"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/labels"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/registry/example/crontab"
)

// LateCronTabs is the CronTab lister handed to admission plugins. The admission chain is built
// before the registry whose storage it reads, so the server binds it once the registry exists;
// until then it has not synced.
type LateCronTabs struct {
	lister atomic.Pointer[crontab.Lister]
}

var _ crontab.Lister = &LateCronTabs{}

// NewLateCronTabs returns a lister that lists nothing until Bind.
func NewLateCronTabs() *LateCronTabs { return &LateCronTabs{} }

// Bind makes l read from lister; the first binding stays.
func (l *LateCronTabs) Bind(lister crontab.Lister) {
	l.lister.CompareAndSwap(nil, &lister)
}

// HasSynced says whether Bind has run.
func (l *LateCronTabs) HasSynced() bool { return l.lister.Load() != nil }

// ListCronTabs lists through the bound lister.
func (l *LateCronTabs) ListCronTabs(ctx context.Context, namespace string, selector labels.Selector) ([]example.CronTab, error) {
	lister := l.lister.Load()
	if lister == nil {
		return nil, errors.New("the CronTab storage is not bound yet")
	}
	return (*lister).ListCronTabs(ctx, namespace, selector)
}
