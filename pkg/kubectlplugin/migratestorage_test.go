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
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	fakedynamic "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
)

var (
	cronTabsV2GVR        = schema.GroupVersionResource{Group: "example.com", Version: "v2", Resource: "crontabs"}
	customResourcesV2GVR = schema.GroupVersionResource{Group: "example.com", Version: "v2", Resource: "customresources"}
)

// migrationFactory serves example.com in v2 (preferred) and v1, and objects of both kinds
// through the fake dynamic client. That fake drops a LIST's limit and continue: pagination
// is tested against the real server (test/reliability TestMigrateStorageFromPreviousRelease).
func migrationFactory(cronTabs, customResources int) *fakeFactory {
	f := newFakeFactory()
	verbs := metav1.Verbs{"create", "delete", "get", "list", "patch", "update", "watch"}
	resources := []metav1.APIResource{
		{Name: "crontabs", Namespaced: true, Kind: "CronTab", Verbs: verbs},
		{Name: "crontabs/status", Namespaced: true, Kind: "CronTab", Verbs: metav1.Verbs{"get", "patch", "update"}},
		{Name: "customresources", Namespaced: false, Kind: "CustomResource", Verbs: verbs},
	}
	f.discovery.Resources = []*metav1.APIResourceList{
		{GroupVersion: "example.com/v2", APIResources: resources},
		{GroupVersion: "example.com/v1", APIResources: resources},
	}
	var objects []runtime.Object
	add := func(kind string, n int) {
		for i := range n {
			obj := &unstructured.Unstructured{}
			obj.SetAPIVersion("example.com/v2")
			obj.SetKind(kind)
			if kind == "CronTab" { // CustomResources are cluster-scoped
				obj.SetNamespace([]string{"team-a", "team-b"}[i%2])
			}
			obj.SetName(kind + "-" + strconv.Itoa(i))
			obj.SetResourceVersion("1")
			objects = append(objects, obj)
		}
	}
	add("CronTab", cronTabs)
	add("CustomResource", customResources)
	f.dynamic = fakedynamic.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(),
		map[schema.GroupVersionResource]string{cronTabsV2GVR: "CronTabList", customResourcesV2GVR: "CustomResourceList"}, objects...)
	return f
}

func TestMigrateStorage(t *testing.T) {
	tests := []struct {
		name                      string
		cronTabs, customResources int
		args                      []string
		// react, when set, answers updates before the fake's store does.
		react       clienttesting.ReactionFunc
		wantOut     string
		wantErrOut  string
		wantUpdates int
		wantErr     string
	}{{
		name:     "every object of both kinds, one page each",
		cronTabs: 3, customResources: 1,
		wantOut: "crontabs.example.com: 3 rewritten, 0 deleted meanwhile, 0 conflicts retried\n" +
			"customresources.example.com: 1 rewritten, 0 deleted meanwhile, 0 conflicts retried\n",
		wantErrOut:  "crontabs.example.com: 3 done\ncustomresources.example.com: 1 done\n",
		wantUpdates: 4,
	}, {
		name:     "a conflict is read again and retried, a deleted object skipped",
		cronTabs: 3,
		react: func() clienttesting.ReactionFunc {
			conflicted := false
			return func(action clienttesting.Action) (bool, runtime.Object, error) {
				obj := action.(clienttesting.UpdateAction).GetObject().(*unstructured.Unstructured)
				switch {
				case obj.GetName() == "CronTab-1" && !conflicted:
					conflicted = true
					return true, nil, apierrors.NewConflict(cronTabsV2GVR.GroupResource(), obj.GetName(), nil)
				case obj.GetName() == "CronTab-2":
					return true, nil, apierrors.NewNotFound(cronTabsV2GVR.GroupResource(), obj.GetName())
				}
				return false, nil, nil
			}
		}(),
		wantOut: "crontabs.example.com: 2 rewritten, 1 deleted meanwhile, 1 conflicts retried\n" +
			"customresources.example.com: 0 rewritten, 0 deleted meanwhile, 0 conflicts retried\n",
		wantErrOut:  "crontabs.example.com: 3 done\ncustomresources.example.com: 0 done\n",
		wantUpdates: 4,
	}, {
		name:     "a refused update stops with the object's name",
		cronTabs: 1,
		react: func(action clienttesting.Action) (bool, runtime.Object, error) {
			return true, nil, apierrors.NewForbidden(cronTabsV2GVR.GroupResource(), "CronTab-0", nil)
		},
		wantOut:     "crontabs.example.com: 0 rewritten, 0 deleted meanwhile, 0 conflicts retried\n",
		wantUpdates: 1,
		wantErr:     `migrating crontabs.example.com: team-a/CronTab-0: crontabs.example.com "CronTab-0" is forbidden: <nil>`,
	}, {
		name:    "a page size of zero is refused",
		args:    []string{"--chunk-size", "0"},
		wantErr: "--chunk-size must be positive, got 0",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := migrationFactory(tt.cronTabs, tt.customResources)
			fake := f.dynamic.(*fakedynamic.FakeDynamicClient)
			updates := 0
			fake.PrependReactor("update", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
				updates++
				if tt.react != nil {
					return tt.react(action)
				}
				return false, nil, nil
			})

			stdout, stderr, err := run(t, f, append([]string{"migrate-storage"}, tt.args...)...)
			checkErr(t, err, tt.wantErr)
			if diff := cmp.Diff(tt.wantOut, stdout); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantErrOut, stderr); diff != "" {
				t.Errorf("stderr (-want +got):\n%s", diff)
			}
			if updates != tt.wantUpdates {
				t.Errorf("%d updates sent, want %d", updates, tt.wantUpdates)
			}
		})
	}
}
