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

package crontab

import (
	"context"
	"fmt"

	metainternalversion "k8s.io/apimachinery/pkg/apis/meta/internalversion"
	"k8s.io/apimachinery/pkg/labels"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"

	"example.com/example-apiserver/pkg/apis/example"
)

// Lister lists the CronTabs of a namespace as the server stores them: what the
// CronTabNamespaceLimits admission plugin and the objects external metrics count. REST
// implements it.
type Lister interface {
	ListCronTabs(ctx context.Context, namespace string, selector labels.Selector) ([]example.CronTab, error)
}

var _ Lister = &REST{}

// ListCronTabs reads the namespace's CronTabs from the store's watch cache, the one copy of
// them the server holds, so that counting them keeps no second copy. The read is consistent
// (no resourceVersion): the cache first catches up with etcd, so the result holds every write
// answered before the call, from any replica, and every delete, the garbage collector's too.
// The items share their maps with the cache and must not be modified.
func (r *REST) ListCronTabs(ctx context.Context, namespace string, selector labels.Selector) ([]example.CronTab, error) {
	obj, err := r.List(genericapirequest.WithNamespace(ctx, namespace), &metainternalversion.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, err
	}
	list, ok := obj.(*example.CronTabList)
	if !ok {
		return nil, fmt.Errorf("listing crontabs: unexpected %T", obj)
	}
	return list.Items, nil
}
