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

package kubectlplugin

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
)

// cronTabServer is example.com/v1 as the aggregated server answers kubectl: discovery, and
// CronTabs as a Table when asked for one, else as objects. Its Table has a column the
// plugin has never heard of, so a test sees the plugin print the server's table and not
// one of its own.
type cronTabServer struct {
	cronTabs []*examplev1.CronTab
	// watched are sent, each as an ADDED event, to a watch, which then ends.
	watched []*examplev1.CronTab

	mu       sync.Mutex
	requests []string // "METHOD path?query accept=table|object" of every CronTab request
}

var cronTabTableColumns = []metav1.TableColumnDefinition{
	{Name: "Name", Type: "string", Format: "name"},
	{Name: "Schedule", Type: "string"},
	{Name: "From The Server", Type: "string"},
	{Name: "Image", Type: "string", Priority: 1},
}

func (s *cronTabServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/api":
		writeJSON(w, &metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
		return
	case "/apis":
		v1 := metav1.GroupVersionForDiscovery{GroupVersion: examplev1.SchemeGroupVersion.String(), Version: "v1"}
		writeJSON(w, &metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
			Groups: []metav1.APIGroup{{Name: examplev1.GroupName, Versions: []metav1.GroupVersionForDiscovery{v1}, PreferredVersion: v1}}})
		return
	case "/api/v1":
		writeJSON(w, &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"}, GroupVersion: "v1"})
		return
	case "/apis/example.com/v1":
		writeJSON(w, &metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList", APIVersion: "v1"},
			GroupVersion: examplev1.SchemeGroupVersion.String(),
			APIResources: []metav1.APIResource{{Name: "crontabs", SingularName: "crontab", Namespaced: true, Kind: "CronTab", ShortNames: []string{"ct"}, Verbs: metav1.Verbs{"get", "list"}}}})
		return
	}

	// /apis/example.com/v1[/namespaces/NS]/crontabs[/NAME]
	rest, ok := strings.CutPrefix(r.URL.Path, "/apis/example.com/v1/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	namespace, name := "", ""
	parts := strings.Split(rest, "/")
	if parts[0] == "namespaces" && len(parts) >= 3 {
		namespace, parts = parts[1], parts[2:]
	}
	if parts[0] != "crontabs" {
		http.NotFound(w, r)
		return
	}
	if len(parts) == 2 {
		name = parts[1]
	}
	asTable := strings.Contains(r.Header.Get("Accept"), "as=Table")
	s.mu.Lock()
	s.requests = append(s.requests, fmt.Sprintf("%s %s?%s table=%v", r.Method, r.URL.Path, r.URL.RawQuery, asTable))
	s.mu.Unlock()

	if r.URL.Query().Get("watch") == "true" {
		w.Header().Set("Content-Type", "application/json")
		for _, ct := range s.watched {
			var object runtime.Object = typedCronTab(ct)
			if asTable {
				object = cronTabTable([]*examplev1.CronTab{ct})
			}
			_ = json.NewEncoder(w).Encode(&metav1.WatchEvent{Type: "ADDED", Object: runtime.RawExtension{Object: object}})
		}
		return
	}

	var found []*examplev1.CronTab
	for _, ct := range s.cronTabs {
		if (namespace == "" || ct.Namespace == namespace) && (name == "" || ct.Name == name) {
			found = append(found, ct)
		}
	}
	if name != "" && len(found) == 0 {
		status := apierrors.NewNotFound(examplev1.Resource("crontabs"), name).Status()
		status.Kind, status.APIVersion = "Status", "v1"
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(&status)
		return
	}

	switch {
	case asTable:
		writeJSON(w, cronTabTable(found))
	case name != "":
		writeJSON(w, typedCronTab(found[0]))
	default:
		list := &examplev1.CronTabList{TypeMeta: metav1.TypeMeta{Kind: "CronTabList", APIVersion: examplev1.SchemeGroupVersion.String()}}
		for _, ct := range found {
			list.Items = append(list.Items, *typedCronTab(ct))
		}
		writeJSON(w, list)
	}
}

// cronTabTable is the server's Table of cronTabs.
func cronTabTable(cronTabs []*examplev1.CronTab) *metav1.Table {
	table := &metav1.Table{TypeMeta: metav1.TypeMeta{Kind: "Table", APIVersion: "meta.k8s.io/v1"}, ColumnDefinitions: cronTabTableColumns}
	for _, ct := range cronTabs {
		table.Rows = append(table.Rows, metav1.TableRow{
			Cells: []any{ct.Name, ct.Spec.CronSpec, "only-" + ct.Name, ct.Spec.Image},
			Object: runtime.RawExtension{Object: &metav1.PartialObjectMetadata{
				TypeMeta:   metav1.TypeMeta{Kind: "PartialObjectMetadata", APIVersion: "meta.k8s.io/v1"},
				ObjectMeta: ct.ObjectMeta,
			}},
		})
	}
	return table
}

// typedCronTab is ct as the server writes it, with its apiVersion and kind.
func typedCronTab(ct *examplev1.CronTab) *examplev1.CronTab {
	ct = ct.DeepCopy()
	ct.TypeMeta = metav1.TypeMeta{Kind: "CronTab", APIVersion: examplev1.SchemeGroupVersion.String()}
	return ct
}

func writeJSON(w http.ResponseWriter, obj any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(obj)
}

// serveCronTabs starts s and points f's kubectl at it through a kubeconfig of its own, so
// neither the user's kubeconfig nor their discovery cache takes part.
func serveCronTabs(t *testing.T, f *fakeFactory, s *cronTabServer) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: "`+srv.URL+`"}
contexts:
- name: test
  context: {cluster: test, namespace: default}
current-context: test
`), 0o600); err != nil {
		t.Fatal(err)
	}
	f.kubeconfig = kubeconfig
	f.cacheDir = filepath.Join(dir, "cache")
}

func TestCronTabs(t *testing.T) {
	cronTabs := []*examplev1.CronTab{
		cronTab("default", "every-five", "*/5 * * * *", "", ptr.To[int32](2), map[string]string{"team": "data"}),
		cronTab("default", "nightly", "0 3 * * *", "Asia/Shanghai", nil, nil),
		cronTab("other", "hourly", "@hourly", "", ptr.To[int32](1), map[string]string{"team": "web"}),
	}
	tests := []struct {
		name string
		args []string
		// want is the whole of stdout.
		want       string
		wantStderr string
		// wantRequests are the CronTab requests that reached the server.
		wantRequests []string
		wantErr      string
	}{{
		name: "the server's table in the current namespace",
		args: []string{"crontabs"},
		want: "NAME         SCHEDULE      FROM THE SERVER\n" +
			"every-five   */5 * * * *   only-every-five\n" +
			"nightly      0 3 * * *     only-nightly\n",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=true"},
	}, {
		name: "wide adds the server's priority-1 columns",
		args: []string{"ct", "-o", "wide"},
		want: "NAME         SCHEDULE      FROM THE SERVER   IMAGE\n" +
			"every-five   */5 * * * *   only-every-five   busybox:1.36\n" +
			"nightly      0 3 * * *     only-nightly      busybox:1.36\n",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=true"},
	}, {
		name: "every namespace, with the selectors sent to the server",
		args: []string{"ct", "-A", "-l", "team in (data,web)", "--field-selector", "spec.image=busybox:1.36", "--no-headers"},
		want: "default   every-five   */5 * * * *   only-every-five\n" +
			"default   nightly      0 3 * * *     only-nightly\n" +
			"other     hourly       @hourly       only-hourly\n",
		wantRequests: []string{"GET /apis/example.com/v1/crontabs?fieldSelector=spec.image%3Dbusybox%3A1.36&labelSelector=team+in+%28data%2Cweb%29&limit=500 table=true"},
	}, {
		name: "watch lists, then prints each change as a row of the same table",
		args: []string{"ct", "-w"},
		want: "NAME         SCHEDULE      FROM THE SERVER\n" +
			"every-five   */5 * * * *   only-every-five\n" +
			"nightly      0 3 * * *     only-nightly\n" +
			"late         @daily        only-late\n",
		wantRequests: []string{
			"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=true",
			"GET /apis/example.com/v1/namespaces/default/crontabs?watch=true table=true",
		},
	}, {
		name: "watch only, as events",
		args: []string{"ct", "--watch-only", "--output-watch-events", "-o", "jsonpath={.type} {.object.metadata.name}{\"\\n\"}"},
		want: "ADDED late\n",
		wantRequests: []string{
			"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=false",
			"GET /apis/example.com/v1/namespaces/default/crontabs?watch=true table=false",
		},
	}, {
		name:         "names",
		args:         []string{"ct", "-o", "name"},
		want:         "crontab.example.com/every-five\ncrontab.example.com/nightly\n",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=false"},
	}, {
		name:         "one named object as json",
		args:         []string{"ct", "nightly", "-o", "jsonpath={.kind} {.spec.timeZone}"},
		want:         "CronTab Asia/Shanghai",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs/nightly? table=false"},
	}, {
		name:         "a list through jsonpath",
		args:         []string{"ct", "-o", "jsonpath={.items[*].spec.cronSpec}"},
		want:         "*/5 * * * * 0 3 * * *",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=false"},
	}, {
		name: "custom columns",
		args: []string{"ct", "-o", "custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas"},
		want: "NAME         REPLICAS\n" +
			"every-five   2\n" +
			"nightly      <none>\n",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=false"},
	}, {
		name:         "go-template",
		args:         []string{"ct", "nightly", "-o", "go-template={{.metadata.name}}={{.spec.image}}"},
		want:         "nightly=busybox:1.36",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs/nightly? table=false"},
	}, {
		name:         "nothing found says so on stderr",
		args:         []string{"ct", "-n", "empty"},
		wantStderr:   "No resources found in empty namespace.\n",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/empty/crontabs?limit=500 table=true"},
	}, {
		name:         "a missing object is the server's NotFound",
		args:         []string{"ct", "nope"},
		wantErr:      `crontabs.example.com "nope" not found`,
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs/nope? table=true"},
	}, {
		name:         "a missing object ignored",
		args:         []string{"ct", "nope", "--ignore-not-found"},
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs/nope? table=true"},
	}, {
		// As kubectl get, which only looks for a printer once it has the objects.
		name:         "unknown output",
		args:         []string{"ct", "-o", "xml"},
		wantErr:      "unable to match a printer suitable for the output format \"xml\"",
		wantRequests: []string{"GET /apis/example.com/v1/namespaces/default/crontabs?limit=500 table=false"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			server := &cronTabServer{cronTabs: cronTabs, watched: []*examplev1.CronTab{cronTab("default", "late", "@daily", "", nil, nil)}}
			f := newFakeFactory()
			serveCronTabs(t, f, server)
			out, errOut, err := run(t, f, tc.args...)
			checkErr(t, err, tc.wantErr)
			if out != tc.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tc.want)
			}
			if errOut != tc.wantStderr {
				t.Errorf("stderr: %q, want %q", errOut, tc.wantStderr)
			}
			if got, want := strings.Join(server.requests, "\n"), strings.Join(tc.wantRequests, "\n"); got != want {
				t.Errorf("requests:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
