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
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
	"sigs.k8s.io/yaml"
)

// TestMakeImageIsReproducibleAndDeployable runs make image twice, as a user and CI would: the
// archives are byte for byte the same, and they carry the names artifacts/deploy runs and the
// commit they were built from.
func TestMakeImageIsReproducibleAndDeployable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the servers")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var dirs [2]string
	for i := range dirs {
		dirs[i] = t.TempDir()
		cmd := exec.Command("make", "--no-print-directory", "-C", root, "image", "IMAGES_DIR="+dirs[i])
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make image: %v\n%s", err, out)
		}
	}
	revision, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}

	var kustomization struct {
		Images []struct{ Name, NewName, NewTag string }
	}
	b, err := os.ReadFile(filepath.Join(root, "artifacts", "deploy", "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &kustomization); err != nil {
		t.Fatal(err)
	}
	if len(kustomization.Images) != 2 {
		t.Fatalf("artifacts/deploy/kustomization.yaml names %d images, want example-apiserver's and example-controller-manager's", len(kustomization.Images))
	}
	for _, image := range kustomization.Images {
		t.Run(image.Name, func(t *testing.T) {
			archive := image.Name + ".tar"
			first, err := os.ReadFile(filepath.Join(dirs[0], archive))
			if err != nil {
				t.Fatalf("make image did not write the image artifacts/deploy runs: %v", err)
			}
			second, err := os.ReadFile(filepath.Join(dirs[1], archive))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("two runs of make image on one commit wrote different %s", archive)
			}

			dir := t.TempDir()
			untar(t, filepath.Join(dirs[0], archive), dir)
			index, err := layout.ImageIndexFromPath(dir)
			if err != nil {
				t.Fatal(err)
			}
			manifest, err := index.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			if len(manifest.Manifests) != 1 {
				t.Fatalf("index.json has %d manifests, want 1", len(manifest.Manifests))
			}
			want := image.NewName + ":" + image.NewTag
			if got := manifest.Manifests[0].Annotations[containerdImageName]; got != want {
				t.Errorf("make image named the image %q, artifacts/deploy runs %q", got, want)
			}
			img, err := index.Image(manifest.Manifests[0].Digest)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if got, want := cf.Config.Labels["org.opencontainers.image.revision"], strings.TrimSpace(string(revision)); got != want {
				t.Errorf("revision label %q, want the commit %q", got, want)
			}
			if got, want := cf.Config.Entrypoint, []string{binDir + "/" + image.Name}; !slices.Equal(got, want) {
				t.Errorf("entrypoint %q, want %q", got, want)
			}
		})
	}
}
