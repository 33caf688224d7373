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
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// krewPlugin is the part of krew's Plugin manifest (krew.googlecontainertools.github.com/
// v1alpha2) that krew checks before installing.
type krewPlugin struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Version          string `json:"version"`
		ShortDescription string `json:"shortDescription"`
		Platforms        []struct {
			Selector struct {
				MatchLabels map[string]string `json:"matchLabels"`
			} `json:"selector"`
			URI    string `json:"uri"`
			Sha256 string `json:"sha256"`
			Bin    string `json:"bin"`
			Files  []struct {
				From string `json:"from"`
				To   string `json:"to"`
			} `json:"files"`
		} `json:"platforms"`
	} `json:"spec"`
}

// TestKrewManifest checks artifacts/krew/example.yaml, which "make plugins" writes, against
// the rules krew applies: a semver version, and per platform a selector, an archive URI, a
// lowercase hex sha256 and the binary inside.
func TestKrewManifest(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "artifacts", "krew", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var p krewPlugin
	if err := yaml.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	if p.APIVersion != "krew.googlecontainertools.github.com/v1alpha2" || p.Kind != "Plugin" || p.Metadata.Name != "example" {
		t.Errorf("header: %s %s %s", p.APIVersion, p.Kind, p.Metadata.Name)
	}
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`).MatchString(p.Spec.Version) {
		t.Errorf("spec.version %q is not a semver with a leading v", p.Spec.Version)
	}
	if p.Spec.ShortDescription == "" || len(p.Spec.Platforms) == 0 {
		t.Fatalf("no shortDescription or platforms")
	}
	sha := regexp.MustCompile(`^[0-9a-f]{64}$`)
	seen := map[string]bool{}
	for _, pl := range p.Spec.Platforms {
		goos, arch := pl.Selector.MatchLabels["os"], pl.Selector.MatchLabels["arch"]
		if goos == "" || arch == "" || seen[goos+"/"+arch] {
			t.Errorf("platform selector %v: missing or duplicate", pl.Selector.MatchLabels)
		}
		seen[goos+"/"+arch] = true
		if !sha.MatchString(pl.Sha256) {
			t.Errorf("%s/%s: sha256 %q is not 64 lowercase hex digits", goos, arch, pl.Sha256)
		}
		if !strings.HasPrefix(pl.URI, "https://") || !strings.HasSuffix(pl.URI, "_"+goos+"_"+arch+".tar.gz") || !strings.Contains(pl.URI, p.Spec.Version) {
			t.Errorf("%s/%s: uri %q", goos, arch, pl.URI)
		}
		wantBin := "kubectl-example"
		if goos == "windows" {
			wantBin += ".exe"
		}
		var hasBin, hasCompletion bool
		for _, f := range pl.Files {
			hasBin = hasBin || f.From == wantBin
			hasCompletion = hasCompletion || f.From == "kubectl_complete-example"
		}
		if pl.Bin != wantBin || !hasBin || !hasCompletion {
			t.Errorf("%s/%s: bin %q, files %v", goos, arch, pl.Bin, pl.Files)
		}
	}
	for _, want := range []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"} {
		if !seen[want] {
			t.Errorf("no platform %s", want)
		}
	}
}
