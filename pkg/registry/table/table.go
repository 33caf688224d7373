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

// Package table turns our objects and lists into metav1.Table responses (kubectl get),
// so each resource only describes its columns and how to fill one row.
package table

import (
	"context"

	"k8s.io/apimachinery/pkg/api/meta"
	metatable "k8s.io/apimachinery/pkg/api/meta/table"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/rest"
)

// RowFunc returns the cells of one object's row; name and age are already formatted.
type RowFunc func(obj runtime.Object, name, age string) ([]any, error)

// Convertor is a rest.TableConvertor from fixed columns and a RowFunc.
type Convertor struct {
	Columns []metav1.TableColumnDefinition
	Row     RowFunc
}

var _ rest.TableConvertor = Convertor{}

// ConvertToTable converts an object or a list of objects into a Table, keeping the list's
// resourceVersion and continue token so paginated and watched tables keep working.
func (c Convertor) ConvertToTable(_ context.Context, obj runtime.Object, tableOptions runtime.Object) (*metav1.Table, error) {
	rows, err := metatable.MetaToTableRow(obj, func(obj runtime.Object, _ metav1.Object, name, age string) ([]any, error) {
		return c.Row(obj, name, age)
	})
	if err != nil {
		return nil, err
	}
	table := &metav1.Table{Rows: rows}
	if list, err := meta.ListAccessor(obj); err == nil {
		table.ResourceVersion = list.GetResourceVersion()
		table.Continue = list.GetContinue()
		table.RemainingItemCount = list.GetRemainingItemCount()
	} else if common, err := meta.CommonAccessor(obj); err == nil {
		table.ResourceVersion = common.GetResourceVersion()
	}
	if opts, ok := tableOptions.(*metav1.TableOptions); !ok || !opts.NoHeaders {
		table.ColumnDefinitions = c.Columns
	}
	return table, nil
}
