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

package validation

import (
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/install"
	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	"example.com/example-apiserver/pkg/apis/internal/decodefuzz"
)

// FuzzDecodeAndValidate is what the server does with a request body before storage, minus
// HTTP: decode JSON, YAML or protobuf into v1, default, convert to the internal type, validate.
// Whatever the bytes, it must not panic; every validation error must name a field; and an
// object that validates must survive encoding (protobuf, as stored, and JSON) and decoding
// again unchanged and still valid, so what is stored can always be read back. `go test` replays
// the corpus; `make fuzz` explores further.
func FuzzDecodeAndValidate(f *testing.F) {
	harness := decodefuzz.New(f, install.Install, examplev1.SchemeGroupVersion)

	// The example objects as the repository ships them, and bodies that stress the
	// decoder: wrong types, nulls, deep nesting, YAML anchors, unknown kinds.
	examples, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "artifacts", "examples", "*.yaml"))
	for _, path := range examples {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, input := range []string{
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"my-new-cron-object","namespace":"default"},"spec":{"cronSpec":"* * * * */5","image":"my-awesome-cron-image"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":{"cronSpec":"@every 90s","image":"registry.example.com:5000/team/job@sha256:` + "0123456789012345678901234567890123456789012345678901234567890123" + `","replicas":1000,"timeZone":"Asia/Shanghai"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":{"cronSpec":"61 * * * *","image":"UPPER/case","replicas":-1,"timeZone":"Mars/Olympus"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":{"replicas":"1"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":{"cronSpec":"@hourly","image":"busybox","command":["/bin/sh","-c"],"args":["date"],"suspend":true,"concurrencyPolicy":"Forbid","startingDeadlineSeconds":30,"successfulJobsHistoryLimit":0,"failedJobsHistoryLimit":2,"backoffLimit":0,"activeDeadlineSeconds":60},"status":{"active":[{"kind":"Job","name":"a-29000000"}],"lastScheduleTime":"2025-01-01T00:00:00Z","missedRuns":2,"runningPods":1}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":{"cronSpec":"@hourly","image":"busybox","command":[null,""],"suspend":null,"concurrencyPolicy":"sometimes","startingDeadlineSeconds":-1,"successfulJobsHistoryLimit":-1,"backoffLimit":-1,"activeDeadlineSeconds":0},"status":{"active":[{}],"missedRuns":-1,"runningPods":-1,"lastScheduleTime":"yesterday"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n"},"spec":null,"status":{"replicas":-3,"selector":"a in (","conditions":[{"type":""}]}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"a","namespace":"n","labels":{"-":"?"},"annotations":{"":""},"finalizers":["x"]},"spec":{"cronSpec":"@daily","image":"nginx"}}`,
		`{"apiVersion":"example.com/v1","kind":"CustomResource","metadata":{"name":"hello"},"spec":{}}`,
		`{"apiVersion":"example.com/v1","kind":"CustomResource","metadata":{"name":"hello","namespace":"should-not-be"},"spec":{"message":"hi"}}`,
		`{"apiVersion":"example.com/v1","kind":"CronTabList","items":[{"metadata":{"name":"a"}}]}`,
		`{"apiVersion":"example.com/v2","kind":"CronTab"}`,
		`{"kind":"CronTab"}`,
		`{"apiVersion":"example.com/v1","kind":"CronTab","spec":{"a":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]}}`,
		"apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: y, namespace: n}\nspec: &s {cronSpec: '@hourly', image: nginx, timeZone: *s}\n",
		"apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: [a\n",
		"",
		"null",
	} {
		harness.AddSeeds(f, []byte(input))
	}

	harness.Fuzz(f, func(_ *testing.T, obj runtime.Object) (field.ErrorList, bool) {
		switch o := obj.(type) {
		case *example.CronTab:
			return append(ValidateCronTab(o), ValidateCronTabStatus(&o.Status, field.NewPath("status"))...), true
		case *example.CustomResource:
			return ValidateCustomResource(o), true
		}
		return nil, false // lists and other kinds are not validated on their own
	})
}
