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

package server

import (
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

func TestKeepWhatInformerReadersUse(t *testing.T) {
	full := &examplev1.CronTab{
		TypeMeta: metav1.TypeMeta{APIVersion: "example.com/v1", Kind: "CronTab"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "nightly", Namespace: "team-a", UID: "6c0f5a52-0d7e-4d1c-9d43-0d2a4e1b7f10", ResourceVersion: "42",
			Generation: 3, CreationTimestamp: metav1.NewTime(time.Unix(1700000000, 0)),
			Labels:      map[string]string{"app": "reports"},
			Annotations: map[string]string{"kubectl.kubernetes.io/last-applied-configuration": `{"spec":{}}`},
			Finalizers:  []string{"example.com/cleanup"},
			ManagedFields: []metav1.ManagedFieldsEntry{{
				Manager: "kubectl", Operation: metav1.ManagedFieldsOperationApply, APIVersion: "example.com/v1",
				FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(`{"f:spec":{"f:replicas":{}}}`)},
			}},
		},
		Spec: examplev1.CronTabSpec{
			CronSpec: "* * * * */5", Image: "my-awesome-cron-image", Replicas: ptr.To[int32](4),
			Command: []string{"/report"}, Suspend: ptr.To(false), BackoffLimit: ptr.To[int32](6),
		},
		Status: examplev1.CronTabStatus{Replicas: 4, Selector: "example.com/crontab=nightly"},
	}
	tombstone := cache.DeletedFinalStateUnknown{Key: "team-a/nightly", Obj: full}

	tests := []struct {
		name string
		in   any
		want any
	}{{
		name: "keeps identity, labels and spec.replicas; drops managedFields, annotations, other spec, status",
		in:   full,
		want: &examplev1.CronTab{
			ObjectMeta: metav1.ObjectMeta{
				Name: "nightly", Namespace: "team-a", UID: "6c0f5a52-0d7e-4d1c-9d43-0d2a4e1b7f10", ResourceVersion: "42",
				Labels: map[string]string{"app": "reports"},
			},
			Spec: examplev1.CronTabSpec{Replicas: ptr.To[int32](4)},
		},
	}, {
		name: "no labels and no replicas stay absent (the metrics count nil replicas as 1)",
		in:   &examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Name: "bare", Namespace: "team-a"}, Spec: examplev1.CronTabSpec{Image: "i"}},
		want: &examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Name: "bare", Namespace: "team-a"}},
	}, {
		name: "a tombstone passes unchanged",
		in:   tombstone,
		want: tombstone,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := keepWhatInformerReadersUse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("transform gave\n%#v\nwant\n%#v", got, tt.want)
			}
			// The informer may hand an object it already transformed back to the transform.
			again, err := keepWhatInformerReadersUse(got)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(again, got) {
				t.Errorf("transform is not idempotent: the second pass gave\n%#v\nthe first\n%#v", again, got)
			}
		})
	}
}
