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

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	clientsetscheme "example.com/example-apiserver/pkg/generated/clientset/versioned/scheme"
)

// hostileNS is where these tests write; standalone mode has no namespace admission, so it
// needs no Namespace object.
const hostileNS = "hostile"

// rawResult is what the server answered to one raw request.
type rawResult struct {
	status   int
	body     []byte
	warnings []string
	took     time.Duration
}

// message is the Status message of an error answer, or the body when it is not a Status.
func (r rawResult) message() string {
	var status metav1.Status
	if json.Unmarshal(r.body, &status) == nil && status.Kind == "Status" {
		return status.Message
	}
	if len(r.body) > 500 {
		return string(r.body[:500]) + "..."
	}
	return string(r.body)
}

// doRaw sends body as-is: the point is what the server does with bytes no client library
// would produce.
func doRaw(t *testing.T, method, path, contentType string, body []byte) rawResult {
	t.Helper()
	config := server.ClientConfig
	client, err := rest.HTTPClientFor(config)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(config.Host, "/")+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	r := rawResult{status: resp.StatusCode, body: data, took: time.Since(start)}
	for _, w := range resp.Header.Values("Warning") {
		r.warnings = append(r.warnings, w)
	}
	return r
}

// cronTabJSON is a valid CronTab named name whose spec gets extra appended (",..." JSON).
func cronTabJSON(name, specExtra string) []byte {
	return fmt.Appendf(nil, `{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":%q},"spec":{"cronSpec":"*/5 * * * *","image":"nginx"%s}}`, name, specExtra)
}

func nestedJSON(depth int) string {
	return strings.Repeat(`{"a":`, depth) + "1" + strings.Repeat("}", depth)
}

func TestHostileInput(t *testing.T) {
	collection := "/apis/example.com/v1/namespaces/" + hostileNS + "/crontabs"
	// The target of updates and patches.
	if r := doRaw(t, http.MethodPost, collection, "application/json", cronTabJSON("target", "")); r.status != http.StatusCreated {
		t.Fatalf("creating the target: %d %s", r.status, r.message())
	}
	const maxBody = 3 << 20 // the generic server's MaxRequestBodyBytes
	huge := strings.Repeat("x", maxBody)
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        []byte
		wantStatus  int
		// wantMessage are substrings of the Status message, e.g. the field path.
		wantMessage []string
	}{
		{"3 MiB create", http.MethodPost, collection, "application/json",
			cronTabJSON("huge", `,"timeZone":"`+huge+`"`), http.StatusRequestEntityTooLarge, []string{"too large"}},
		{"3 MiB update", http.MethodPut, collection + "/target", "application/json",
			cronTabJSON("target", `,"timeZone":"`+huge+`"`), http.StatusRequestEntityTooLarge, []string{"too large"}},
		{"3 MiB merge patch", http.MethodPatch, collection + "/target", "application/merge-patch+json",
			fmt.Appendf(nil, `{"metadata":{"annotations":{"a":%q}}}`, huge), http.StatusRequestEntityTooLarge, []string{"too large"}},
		{"3 MiB YAML create", http.MethodPost, collection, "application/yaml",
			fmt.Appendf(nil, "apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: huge}\nspec: {cronSpec: '@hourly', image: nginx, timeZone: %s}\n", huge),
			http.StatusRequestEntityTooLarge, []string{"too large"}},
		// Under the body limit but over the annotation budget: a validation error with its
		// path, not a 500 from etcd.
		{"2 MiB of annotations", http.MethodPost, collection, "application/json",
			fmt.Appendf(nil, `{"apiVersion":"example.com/v1","kind":"CronTab","metadata":{"name":"fat","annotations":{"a":%q}},"spec":{"cronSpec":"@hourly","image":"nginx"}}`, huge[:2<<20]),
			http.StatusUnprocessableEntity, []string{"metadata.annotations", "Too long"}},
		{"JSON nested 20000 deep", http.MethodPost, collection, "application/json",
			cronTabJSON("deep", `,"x":`+nestedJSON(20000)), http.StatusBadRequest, []string{"max depth"}},
		{"JSON array nested 20000 deep", http.MethodPost, collection, "application/json",
			cronTabJSON("deep", `,"x":`+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)), http.StatusBadRequest, []string{"max depth"}},
		{"truncated JSON", http.MethodPost, collection, "application/json",
			cronTabJSON("cut", "")[:60], http.StatusBadRequest, nil},
		{"JSON of the wrong type", http.MethodPost, collection, "application/json",
			cronTabJSON("wrongtype", `,"replicas":"three"`), http.StatusBadRequest, []string{"spec.replicas"}},
		{"not an object", http.MethodPost, collection, "application/json",
			[]byte(`[1,2,3]`), http.StatusBadRequest, nil},
		{"another kind", http.MethodPost, collection, "application/json",
			[]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"pod"}}`), http.StatusBadRequest, []string{"Pod"}},
		{"malformed YAML", http.MethodPost, collection, "application/yaml",
			[]byte("apiVersion: example.com/v1\nkind: CronTab\nmetadata:\n  name: [unclosed\nspec: {cronSpec: '@hourly'\n"), http.StatusBadRequest, nil},
		{"YAML nested 20000 deep", http.MethodPost, collection, "application/yaml",
			fmt.Appendf(nil, "apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: deepyaml}\nspec: {cronSpec: '@hourly', image: nginx, x: %s%s}\n",
				strings.Repeat("[", 20000), strings.Repeat("]", 20000)), http.StatusBadRequest, nil},
		{"YAML alias bomb", http.MethodPost, collection, "application/yaml", yamlAliasBomb(), http.StatusBadRequest, nil},
		{"unknown field under Strict", http.MethodPost, collection + "?fieldValidation=Strict", "application/json",
			cronTabJSON("strict", `,"frobnicate":true`), http.StatusBadRequest, []string{`unknown field "spec.frobnicate"`}},
		{"duplicate field under Strict", http.MethodPost, collection + "?fieldValidation=Strict", "application/json",
			cronTabJSON("dup", `,"image":"busybox"`), http.StatusBadRequest, []string{`duplicate field "spec.image"`}},
		{"unknown field under Strict in YAML", http.MethodPost, collection + "?fieldValidation=Strict", "application/yaml",
			[]byte("apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: strictyaml, bogus: 1}\nspec: {cronSpec: '@hourly', image: nginx}\n"),
			http.StatusBadRequest, []string{`unknown field "metadata.bogus"`}},
		{"unknown field under Strict in a merge patch", http.MethodPatch, collection + "/target?fieldValidation=Strict", "application/merge-patch+json",
			[]byte(`{"spec":{"cronSpecc":"@daily"}}`), http.StatusUnprocessableEntity, []string{`strict decoding error: unknown field "spec.cronSpecc"`}},
		{"unknown field under Strict in an update", http.MethodPut, collection + "/target?fieldValidation=Strict", "application/json",
			cronTabJSON("target", `,"status":{"phase":"x"}`), http.StatusBadRequest, []string{`unknown field "spec.status"`}},
		{"invalid fieldValidation", http.MethodPost, collection + "?fieldValidation=Paranoid", "application/json",
			cronTabJSON("paranoid", ""), http.StatusUnprocessableEntity, []string{"fieldValidation", "Paranoid"}},
		{"unsupported media type", http.MethodPost, collection, "text/plain",
			[]byte("name=plain"), http.StatusUnsupportedMediaType, nil},
		{"3 MiB protobuf create", http.MethodPost, collection, runtime.ContentTypeProtobuf,
			cronTabProtobuf(t, "hugeproto", func(ct *examplev1.CronTab) { ct.Spec.TimeZone = huge }), http.StatusRequestEntityTooLarge, []string{"too large"}},
		{"protobuf without its envelope", http.MethodPost, collection, runtime.ContentTypeProtobuf,
			[]byte("\x0a\x03abc"), http.StatusBadRequest, []string{"protobuf"}},
		{"truncated protobuf", http.MethodPost, collection, runtime.ContentTypeProtobuf,
			truncated(cronTabProtobuf(t, "cutproto", nil)), http.StatusBadRequest, nil},
		{"protobuf envelope around garbage", http.MethodPost, collection, runtime.ContentTypeProtobuf,
			append(append([]byte{}, protobufMagic...), "\x12\xff\xff\xff\xff\x0fgarbage"...), http.StatusBadRequest, nil},
		// JSON cannot carry invalid UTF-8 (decoding replaces it), protobuf can.
		{"protobuf with an annotation that is not UTF-8", http.MethodPost, collection, runtime.ContentTypeProtobuf,
			cronTabProtobuf(t, "latin1", func(ct *examplev1.CronTab) { ct.Annotations = map[string]string{"note": "caf\xe9"} }),
			http.StatusUnprocessableEntity, []string{"metadata.annotations[note]", "must be valid UTF-8"}},
		{"name with invalid UTF-8", http.MethodPost, collection, "application/json",
			[]byte("{\"apiVersion\":\"example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"bad\xff\xfe\"},\"spec\":{\"cronSpec\":\"@hourly\",\"image\":\"nginx\"}}"),
			http.StatusUnprocessableEntity, []string{"metadata.name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := doRaw(t, tc.method, tc.path, tc.contentType, tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.message())
			}
			for _, want := range tc.wantMessage {
				if !strings.Contains(r.message(), want) {
					t.Errorf("message lacks %q: %s", want, r.message())
				}
			}
			// Every rejection is a Status object a client can act on, not a bare string.
			var status metav1.Status
			if err := json.Unmarshal(r.body, &status); err != nil || status.Kind != "Status" || int(status.Code) != tc.wantStatus {
				t.Errorf("answer is not a Status with code %d: %v: %s", tc.wantStatus, err, r.message())
			}
			// Hostile input must be turned away promptly, not after the server has chewed on it.
			if r.took > 10*time.Second {
				t.Errorf("took %s", r.took)
			}
		})
	}

	// Nothing of the above got stored, and the target is unchanged.
	list := doRaw(t, http.MethodGet, collection, "", nil)
	var got struct {
		Items []struct {
			Metadata metav1.ObjectMeta `json:"metadata"`
		} `json:"items"`
	}
	if err := json.Unmarshal(list.body, &got); err != nil || list.status != http.StatusOK {
		t.Fatalf("list: %d %v: %s", list.status, err, list.message())
	}
	if len(got.Items) != 1 || got.Items[0].Metadata.Name != "target" || got.Items[0].Metadata.Generation != 1 {
		t.Errorf("after the hostile requests the namespace holds %+v, want only the untouched target", got.Items)
	}
}

// TestUnknownFieldsWarnAndIgnore checks the two lenient field validation modes: Warn (the
// default) stores the object and names the dropped field in a Warning header; Ignore drops it
// silently. Strict is covered by TestHostileInput.
func TestUnknownFieldsWarnAndIgnore(t *testing.T) {
	collection := "/apis/example.com/v1/namespaces/" + hostileNS + "-lenient/crontabs"
	for _, tc := range []struct {
		mode        string
		wantWarning bool
	}{{"", true}, {"Warn", true}, {"Ignore", false}} {
		t.Run("fieldValidation="+tc.mode, func(t *testing.T) {
			path := collection
			if tc.mode != "" {
				path += "?fieldValidation=" + tc.mode
			}
			name := "lenient-" + strings.ToLower(tc.mode)
			if tc.mode == "" {
				name = "lenient-default"
			}
			r := doRaw(t, http.MethodPost, path, "application/json", cronTabJSON(name, `,"frobnicate":true`))
			if r.status != http.StatusCreated {
				t.Fatalf("status %d, want 201: %s", r.status, r.message())
			}
			if bytes.Contains(r.body, []byte("frobnicate")) {
				t.Errorf("the unknown field was stored: %s", r.body)
			}
			// The header quotes the text again: unknown field \"spec.frobnicate\".
			warned := strings.Contains(strings.Join(r.warnings, "\n"), `unknown field \"spec.frobnicate\"`)
			if warned != tc.wantWarning {
				t.Errorf("warnings %q; want a warning naming spec.frobnicate: %v", r.warnings, tc.wantWarning)
			}
		})
	}
}

// cronTabProtobuf is a valid CronTab named name, changed by mutate unless nil, in the
// protobuf encoding the generated clientset sends.
func cronTabProtobuf(t *testing.T, name string, mutate func(*examplev1.CronTab)) []byte {
	t.Helper()
	info, ok := runtime.SerializerInfoForMediaType(clientsetscheme.Codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		t.Fatal("the clientset's scheme has no protobuf serializer")
	}
	ct := seedCronTab(name)
	if mutate != nil {
		mutate(ct)
	}
	data, err := runtime.Encode(clientsetscheme.Codecs.EncoderForVersion(info.Serializer, examplev1.SchemeGroupVersion), ct)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// truncated cuts data in the middle of its last field.
func truncated(data []byte) []byte { return data[:len(data)-3] }

// yamlAliasBomb is the "billion laughs" of YAML: nine levels of nine aliases each, 9^9 nodes
// once expanded, in under 1 KiB.
func yamlAliasBomb() []byte {
	var b strings.Builder
	b.WriteString("apiVersion: example.com/v1\nkind: CronTab\nmetadata: {name: laughs}\nspec:\n  cronSpec: '@hourly'\n  image: nginx\n")
	b.WriteString("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		refs := strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 9), ", ")
		fmt.Fprintf(&b, "  a%d: &a%d [%s]\n", i, i, refs)
	}
	return []byte(b.String())
}
