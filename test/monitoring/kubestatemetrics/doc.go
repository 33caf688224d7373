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

// Package kubestatemetrics renders CronTabs through kube-state-metrics' own code with the
// configuration in artifacts/monitoring (make test-monitoring). It is a Go module of its own
// because kube-state-metrics requires a k8s.io module of an older release line
// (k8s.io/sample-controller), which the server's module must not mix with its own.
package kubestatemetrics
