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

package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestKubectlExampleCronTabsIsKubectlGet runs "kubectl example crontabs" and "kubectl get
// crontabs" side by side on the same CronTabs: with the server's Table and kubectl's printers
// behind both, every output must be the same, byte for byte.
func TestKubectlExampleCronTabsIsKubectlGet(t *testing.T) {
	ns := stack.Namespace(t, "e2e-plugin-crontabs")
	e := newPluginEnv(t, buildPlugins(t))

	// Schedules that do not fire while the test runs: the controller leaves ACTIVE and LAST
	// SCHEDULE alone between the two commands.
	e.mustKubectl(t, "example", "create", "crontab", "nightly", "-n", ns, "--schedule", "0 3 * * *", "--image", "busybox:1.36", "--timezone", "Asia/Shanghai")
	e.mustKubectl(t, "example", "create", "crontab", "yearly", "-n", ns, "--schedule", "0 3 1 1 *", "--image", "busybox:1.37", "--replicas", "2")
	e.mustKubectl(t, "example", "create", "crontab", "paused", "-n", ns, "--schedule", "@hourly", "--image", "busybox:1.36")
	stack.MustKubectl(t, "patch", "crontab", "paused", "-n", ns, "--type=merge", "-p", `{"spec":{"suspend":true}}`)
	// A label no other test uses, so that -A selects these CronTabs only.
	stack.MustKubectl(t, "label", "crontab", "nightly", "yearly", "-n", ns, "suite="+ns)

	tests := []struct {
		name string
		args []string
		// want are lines (fields joined by one space) the output must have, so that equal
		// outputs are also the right ones.
		want []string
	}{{
		name: "table",
		args: []string{"-n", ns},
		want: []string{"NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE NEXT RUN AGE"},
	}, {
		name: "wide",
		args: []string{"-n", ns, "-o", "wide"},
		want: []string{"NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE NEXT RUN AGE IMAGE REPLICAS SELECTOR"},
	}, {
		name: "every namespace, by label",
		args: []string{"-A", "-l", "suite=" + ns},
		want: []string{"NAMESPACE NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE NEXT RUN AGE"},
	}, {
		name: "name",
		args: []string{"-n", ns, "-o", "name"},
		want: []string{"crontab.example.com/nightly", "crontab.example.com/paused", "crontab.example.com/yearly"},
	}, {
		name: "jsonpath",
		args: []string{"-n", ns, "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.cronSpec}{\"\\n\"}{end}"},
		want: []string{"nightly=0 3 * * *", "paused=@hourly", "yearly=0 3 1 1 *"},
	}, {
		name: "custom-columns",
		// kubectl get speaks the preferred version, v2.
		args: []string{"-n", ns, "-o", "custom-columns=NAME:.metadata.name,ZONE:.spec.timeZone,SUSPEND:.spec.suspend,REPLICAS:.spec.jobTemplate.spec.parallelism"},
		want: []string{"NAME ZONE SUSPEND REPLICAS", "nightly Asia/Shanghai false 1", "paused <none> true 1", "yearly <none> false 2"},
	}, {
		name: "one object as yaml",
		args: []string{"-n", ns, "yearly", "-o", "yaml"},
		want: []string{"apiVersion: example.com/v2", "kind: CronTab", "- image: busybox:1.37"},
	}, {
		name: "sorted, without headers",
		args: []string{"-n", ns, "--sort-by=.spec.jobTemplate.spec.template.spec.containers[0].image", "--no-headers"},
	}, {
		name: "nothing found",
		args: []string{"-n", ns, "-l", "suite=none"},
		want: []string{"No resources found in " + ns + " namespace."},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// AGE and NEXT RUN tick: two commands in the same second print the same.
			var plugin string
			stack.Eventually(t, 30*time.Second, "kubectl example crontabs prints as kubectl get crontabs", func() (bool, string) {
				var pluginErr, kubectlErr error
				plugin, pluginErr = e.kubectl(append([]string{"example", "crontabs"}, tc.args...)...)
				kubectl, kubectlErr := e.kubectl(append([]string{"get", "crontabs"}, tc.args...)...)
				same := plugin == kubectl && (pluginErr == nil) == (kubectlErr == nil)
				return same, "kubectl example crontabs:\n" + plugin + "\nkubectl get crontabs:\n" + kubectl
			})
			lines := map[string]bool{}
			for _, line := range strings.Split(plugin, "\n") {
				lines[strings.Join(strings.Fields(line), " ")] = true
			}
			for _, w := range tc.want {
				if !lines[w] {
					t.Errorf("output has no line %q:\n%s", w, plugin)
				}
			}
		})
	}
}
