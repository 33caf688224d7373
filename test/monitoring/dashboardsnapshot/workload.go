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

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	examplev1 "example.com/example-apiserver/pkg/apis/example/v1"
	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
	"example.com/example-apiserver/pkg/generated/clientset/versioned"
	"example.com/example-apiserver/test/e2e/framework"
)

// workloadLabel marks the namespaces the workload creates, and deletes when it stops.
const workloadLabel = "example.com/dashboard-snapshot"

// cronTab is a CronTab of the workload and the result its runs end with.
type cronTab struct {
	namespace, name string
	result          string
	spec            examplev1.CronTabSpec
}

// cronTabs run every minute on the stack's fake Node, where any image but the KWOK ones
// succeeds 1-2 s after it starts. The export's runs fail: a run deadline of one second is
// shorter than that, which the stack's image policy, unlike the KWOK fail image, allows.
var cronTabs = []cronTab{
	{"shop", "checkout-report", "succeeded", examplev1.CronTabSpec{CronSpec: "* * * * *", Image: "busybox:1.36"}},
	{"shop", "price-refresh", "succeeded", examplev1.CronTabSpec{CronSpec: "* * * * *", Image: "busybox:1.36", Replicas: ptr.To[int32](2)}},
	{"billing", "invoices", "succeeded", examplev1.CronTabSpec{CronSpec: "* * * * *", Image: "busybox:1.36"}},
	{"billing", "ledger-export", "failed", examplev1.CronTabSpec{CronSpec: "* * * * *", Image: "busybox:1.36",
		ActiveDeadlineSeconds: ptr.To[int64](1), BackoffLimit: ptr.To[int32](0)}},
}

// namespaces are those of cronTabs, once each.
func namespaces() []string {
	var names []string
	for _, ct := range cronTabs {
		if !slices.Contains(names, ct.namespace) {
			names = append(names, ct.namespace)
		}
	}
	return names
}

// workload is the work the snapshot shows: cronTabs, and clients that read and write CronTabs
// and log in while it runs.
type workload struct {
	stack    *framework.Stack
	baseline map[string]float64
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

func startWorkload(ctx context.Context, stack *framework.Stack) (*workload, error) {
	config, err := stack.RESTConfig()
	if err != nil {
		return nil, err
	}
	client, err := versioned.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	w := &workload{stack: stack}
	// Left by a run that was killed: start afresh.
	if err := w.deleteNamespaces(); err != nil {
		return nil, err
	}
	for _, ns := range namespaces() {
		// Fails on a namespace of that name the workload did not make.
		manifest := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata: {name: %s, labels: {%s: \"true\"}}\n", ns, workloadLabel)
		if out, err := stack.KubectlWithInput([]byte(manifest), "create", "-f", "-"); err != nil {
			return nil, errors.Join(fmt.Errorf("kubectl create namespace %s: %w\n%s", ns, err, out), w.deleteNamespaces())
		}
	}
	for _, ct := range cronTabs {
		obj := &examplev1.CronTab{ObjectMeta: metav1.ObjectMeta{Namespace: ct.namespace, Name: ct.name}, Spec: ct.spec}
		if _, err := client.ExampleV1().CronTabs(ct.namespace).Create(ctx, obj, metav1.CreateOptions{}); err != nil {
			return nil, errors.Join(fmt.Errorf("creating CronTab %s/%s: %w", ct.namespace, ct.name, err), w.deleteNamespaces())
		}
	}
	password, err := os.ReadFile(filepath.Join(stack.Dir, "ldap", "alice.password"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, errors.Join(err, w.deleteNamespaces())
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		w.clients(ctx, client, strings.TrimSpace(string(password)))
	}()
	return w, nil
}

// clients read CronTabs every second, label one every five and, when the stack runs its
// directory (LOCAL_UP_LDAP), log alice in and refuse an unknown user every ten, until ctx ends.
// Their errors are the dashboard's to show.
func (w *workload) clients(ctx context.Context, client versioned.Interface, password string) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ct := cronTabs[i%len(cronTabs)]
		_, _ = client.ExampleV1().CronTabs("").List(ctx, metav1.ListOptions{})
		_, _ = client.ExampleV1().CronTabs(ct.namespace).Get(ctx, ct.name, metav1.GetOptions{})
		if i%5 == 0 {
			patch := fmt.Sprintf(`{"metadata":{"annotations":{%q:%q}}}`, workloadLabel+"/touched", time.Now().UTC().Format(time.RFC3339))
			_, _ = client.ExampleV1().CronTabs(ct.namespace).Patch(ctx, ct.name, types.MergePatchType, []byte(patch), metav1.PatchOptions{})
		}
		if i%10 == 0 && password != "" {
			for _, spec := range []loginv1alpha1.LoginRequestSpec{{Username: "alice", Password: password}, {Username: "nobody", Password: "wrong"}} {
				_, _ = client.LoginV1alpha1().LoginRequests().Create(ctx, &loginv1alpha1.LoginRequest{Spec: spec}, metav1.CreateOptions{})
			}
		}
	}
}

// finishedRuns is a condition to poll: every namespace of cronTabs has, since the first call,
// at least runs finished runs per CronTab of each result its CronTabs end with.
func (w *workload) finishedRuns(ctx context.Context, api promv1.API, runs int) func() (bool, string) {
	want := map[string]float64{}
	for _, ct := range cronTabs {
		want[ct.namespace+" "+ct.result] += float64(runs)
	}
	query := fmt.Sprintf(`sum by (namespace, result) (crontab_controller_runs_finished_total{job="example-controller-manager",namespace=~%q})`,
		strings.Join(namespaces(), "|"))
	return func() (bool, string) {
		value, _, err := api.Query(ctx, query, time.Now())
		if err != nil {
			return false, err.Error()
		}
		vector, ok := value.(model.Vector)
		if !ok {
			return false, fmt.Sprintf("a %s, not a vector", value.Type())
		}
		got := map[string]float64{}
		for _, s := range vector {
			got[string(s.Metric["namespace"])+" "+string(s.Metric["result"])] = float64(s.Value)
		}
		if w.baseline == nil {
			// Counted before this run if the controller saw namespaces of these names before.
			w.baseline = got
		}
		done := true
		var status []string
		for key, n := range want {
			finished := got[key] - w.baseline[key]
			done = done && finished >= n
			status = append(status, fmt.Sprintf("%s %.0f of %.0f", key, finished, n))
		}
		return done, strings.Join(status, ", ")
	}
}

// stop ends the clients and deletes the namespaces, with their CronTabs, Jobs and pods.
func (w *workload) stop() {
	w.cancel()
	w.done.Wait()
	if err := w.deleteNamespaces(); err != nil {
		fmt.Fprintln(os.Stderr, "dashboardsnapshot:", err)
	}
}

func (w *workload) deleteNamespaces() error {
	out, err := w.stack.Kubectl("delete", "namespace", "-l", workloadLabel+"=true", "--wait=true", "--timeout=2m")
	if err != nil {
		return fmt.Errorf("kubectl delete namespace -l %s=true: %w\n%s", workloadLabel, err, out)
	}
	return nil
}
