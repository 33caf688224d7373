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

package utils

import (
	"fmt"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/pkg/apis/config/v1alpha1"
)

// HPAControllerFlags make kube-controller-manager's HPA controller react within seconds instead
// of its default 15 s sync and 5 min downscale stabilization.
const HPAControllerFlags = "--horizontal-pod-autoscaler-sync-period=1s --horizontal-pod-autoscaler-downscale-stabilization=2s"

// ExampleServerConfig returns artifacts/config/example-apiserver.yaml of the repository at root,
// which the e2e suite's admission tests rely on, with allowedImages (registries or repository
// prefixes) added to its image policy: the images a suite's CronTabs run on the stack's nodes.
func ExampleServerConfig(root string, allowedImages ...string) (*v1alpha1.ExampleAPIServerConfiguration, error) {
	data, err := os.ReadFile(filepath.Join(root, "artifacts", "config", "example-apiserver.yaml"))
	if err != nil {
		return nil, err
	}
	var cfg v1alpha1.ExampleAPIServerConfiguration
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		return nil, fmt.Errorf("artifacts/config/example-apiserver.yaml: %w", err)
	}
	policy := &cfg.CronTabPolicy.ImagePolicy
	policy.AllowedPrefixes = append(policy.AllowedPrefixes, allowedImages...)
	return &cfg, nil
}
