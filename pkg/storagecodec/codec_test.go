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

package storagecodec

import (
	"strings"
	"testing"
	"unsafe"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	serverstorage "k8s.io/apiserver/pkg/server/storage"

	"example.com/example-apiserver/pkg/apis/example"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/apiserver"
)

func storageCodec(t *testing.T, mediaType string) runtime.Codec {
	t.Helper()
	codec, _, err := serverstorage.NewStorageCodec(serverstorage.StorageCodecConfig{
		StorageMediaType:  mediaType,
		StorageSerializer: apiserver.Codecs,
		StorageVersion:    examplev1.SchemeGroupVersion,
		MemoryVersion:     example.SchemeGroupVersion,
	})
	if err != nil {
		t.Fatal(err)
	}
	return codec
}

func cronTab(name, fields string) *example.CronTab {
	ct := &example.CronTab{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: example.CronTabSpec{CronSpec: "@hourly", Image: "nginx", Replicas: 1, ConcurrencyPolicy: example.AllowConcurrent,
			SuccessfulJobsHistoryLimit: 3, FailedJobsHistoryLimit: 1},
	}
	if fields != "" {
		ct.ManagedFields = []metav1.ManagedFieldsEntry{{
			Manager: "kubectl-client-side-apply", Operation: metav1.ManagedFieldsOperationUpdate, APIVersion: "example.com/v1",
			FieldsType: "FieldsV1", FieldsV1: &metav1.FieldsV1{Raw: []byte(fields)},
		}}
	}
	return ct
}

const specFields = `{"f:spec":{".":{},"f:cronSpec":{},"f:image":{},"f:replicas":{}}}`

func TestWithSharedManagedFields(t *testing.T) {
	large := `{"f:metadata":{"f:labels":{` + strings.Repeat(`"f:k":{},`, maxInternedSize/8) + `"f:last":{}}}}`
	for _, tc := range []struct {
		name           string
		fieldsA        string
		fieldsB        string
		wantSharedSets bool
	}{
		{name: "identical field sets share one copy", fieldsA: specFields, fieldsB: specFields, wantSharedSets: true},
		{name: "different field sets keep their own", fieldsA: specFields, fieldsB: `{"f:spec":{"f:image":{}}}`},
		{name: "large field sets are left alone", fieldsA: large, fieldsB: large},
		{name: "no managedFields", fieldsA: "", fieldsB: ""},
	} {
		for _, mediaType := range []string{runtime.ContentTypeProtobuf, runtime.ContentTypeJSON} {
			t.Run(tc.name+" "+mediaType, func(t *testing.T) {
				plain := storageCodec(t, mediaType)
				sharing := WithSharedManagedFields(plain)
				var decoded []*example.CronTab
				for _, ct := range []*example.CronTab{cronTab("a", tc.fieldsA), cronTab("b", tc.fieldsB)} {
					data, err := runtime.Encode(sharing, ct)
					if err != nil {
						t.Fatal(err)
					}
					want, err := runtime.Decode(plain, data)
					if err != nil {
						t.Fatal(err)
					}
					got, err := runtime.Decode(sharing, data)
					if err != nil {
						t.Fatal(err)
					}
					if !apiequality.Semantic.DeepEqual(got, want) {
						t.Fatalf("decoded %+v, want %+v", got, want)
					}
					decoded = append(decoded, got.(*example.CronTab))
				}
				a, b := decoded[0].ManagedFields, decoded[1].ManagedFields
				if len(a) == 0 || len(b) == 0 {
					return
				}
				if shared := &a[0].FieldsV1.Raw[0] == &b[0].FieldsV1.Raw[0]; shared != tc.wantSharedSets {
					t.Errorf("field sets shared: %v, want %v", shared, tc.wantSharedSets)
				}
				if unsafe.StringData(a[0].Manager) != unsafe.StringData(b[0].Manager) || unsafe.StringData(a[0].APIVersion) != unsafe.StringData(b[0].APIVersion) {
					t.Error("manager and apiVersion are not shared")
				}
			})
		}
	}
}

func TestSharedValuesStayBounded(t *testing.T) {
	values := newSharedValues[string](2)
	for _, v := range []string{"a", "b", "c", "d", "a"} {
		if got := values.get(strings.Clone(v)); got != v {
			t.Errorf("get(%q) = %q", v, got)
		}
		if len(values.m) > 2 {
			t.Fatalf("%d values kept, want at most 2", len(values.m))
		}
	}
	first := values.get(strings.Clone("e"))
	if again := values.get(strings.Clone("e")); unsafe.StringData(again) != unsafe.StringData(first) {
		t.Error("a value kept is not returned again")
	}
}
