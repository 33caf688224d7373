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
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

var commitTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fixture writes a stand-in binary and CA bundle; the builder copies their bytes, whatever they are.
func fixture(t *testing.T, binary string) spec {
	t.Helper()
	dir := t.TempDir()
	s := spec{
		ref:      name.MustParseReference("example.com/example-apiserver:v0.1.0-dev").(name.Tag),
		binary:   filepath.Join(dir, "example-apiserver"),
		caBundle: filepath.Join(dir, "ca-certificates.crt"),
		created:  commitTime,
		labels:   map[string]string{"org.opencontainers.image.revision": "0123abcd"},
		arch:     "amd64",
	}
	if err := os.WriteFile(s.binary, []byte(binary), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.caBundle, []byte("-----BEGIN CERTIFICATE-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// extraBinary writes a stand-in for another binary of the image, named name.
func extraBinary(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(name), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// build writes s's archive and returns its digest and the archive's sha256.
func build(t *testing.T, s spec) (digest v1.Hash, archive string, archiveSum [32]byte) {
	t.Helper()
	img, err := buildImage(s)
	if err != nil {
		t.Fatal(err)
	}
	archive = filepath.Join(t.TempDir(), "image.tar")
	if err := writeArchive(archive, s.ref, img, s.created); err != nil {
		t.Fatal(err)
	}
	if digest, err = img.Digest(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	return digest, archive, sha256.Sum256(b)
}

func TestBuildIsReproducible(t *testing.T) {
	base := fixture(t, "binary")
	digest, _, sum := build(t, base)
	tests := []struct {
		name   string
		change func(*spec)
		same   bool
	}{
		{name: "the same inputs again", change: func(*spec) {}, same: true},
		{name: "another commit time", change: func(s *spec) { s.created = s.created.Add(time.Second) }},
		{name: "another binary", change: func(s *spec) { *s = fixture(t, "binary2") }},
		{name: "another label", change: func(s *spec) { s.labels = map[string]string{"org.opencontainers.image.revision": "4567ef"} }},
		{name: "no CA bundle", change: func(s *spec) { s.caBundle = "" }},
		{name: "an extra binary", change: func(s *spec) { s.extra = []string{extraBinary(t, "etcdctl")} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base
			tt.change(&s)
			gotDigest, _, gotSum := build(t, s)
			if (gotDigest == digest) != tt.same || (gotSum == sum) != tt.same {
				t.Errorf("digest %v, archive sha256 %x; first build %v, %x; want same: %v", gotDigest, gotSum, digest, sum, tt.same)
			}
		})
	}
}

func TestArchiveReadsAsOCILayoutAndDockerArchive(t *testing.T) {
	s := fixture(t, "binary")
	digest, archive, _ := build(t, s)

	// The docker half: manifest.json, as docker load and crane push read it. Docker keeps
	// the config (its image ID) and layers and writes a manifest of its own media types.
	docker, err := tarball.ImageFromPath(archive, &s.ref)
	if err != nil {
		t.Fatalf("as a docker archive: %v", err)
	}

	// The OCI half: index.json names the same manifest, with the full name for containerd.
	dir := t.TempDir()
	untar(t, archive, dir)
	index, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("as an OCI layout: %v", err)
	}
	manifest, err := index.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(manifest.Manifests) != 1 {
		t.Fatalf("index.json has %d manifests, want 1", len(manifest.Manifests))
	}
	desc := manifest.Manifests[0]
	wantAnnotations := map[string]string{containerdImageName: s.ref.String(), "org.opencontainers.image.ref.name": s.ref.String()}
	if desc.Digest != digest || !reflect.DeepEqual(desc.Annotations, wantAnnotations) {
		t.Errorf("index.json: digest %v annotations %v, want %v %v", desc.Digest, desc.Annotations, digest, wantAnnotations)
	}
	img, err := index.Image(desc.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := layerDigests(t, docker), layerDigests(t, img); !reflect.DeepEqual(got, want) {
		t.Errorf("docker archive's config and layers %v, OCI layout's %v", got, want)
	}

	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	wantConfig := v1.Config{
		Entrypoint: []string{"/usr/local/bin/example-apiserver"},
		User:       "65532:65532",
		Env:        []string{"PATH=/usr/local/bin:/usr/bin:/bin"},
		WorkingDir: "/",
		Labels:     s.labels,
	}
	if !reflect.DeepEqual(cf.Config, wantConfig) || !cf.Created.Equal(commitTime) || cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("config %+v created %v %s/%s, want %+v %v linux/amd64", cf.Config, cf.Created, cf.OS, cf.Architecture, wantConfig, commitTime)
	}

	// The files a container sees: the binary executable by anyone and owned by root (nonroot
	// cannot change it), the CA bundle where Go looks, and no shell.
	type entry struct {
		mode int64
		uid  int
		size int64
	}
	files := map[string]entry{}
	tr := tar.NewReader(mutate.Extract(img))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !hdr.ModTime.Equal(commitTime) {
			t.Errorf("%s: mtime %v, want the commit's %v", hdr.Name, hdr.ModTime, commitTime)
		}
		files[hdr.Name] = entry{hdr.Mode, hdr.Uid, hdr.Size}
	}
	want := map[string]entry{
		"usr/local/bin/example-apiserver":   {0o755, 0, int64(len("binary"))},
		"etc/ssl/certs/ca-certificates.crt": {0o644, 0, int64(len("-----BEGIN CERTIFICATE-----\n"))},
		"home/nonroot":                      {0o700, 65532, 0},
		"tmp":                               {0o1777, 0, 0},
	}
	for path, w := range want {
		if got, ok := files[path]; !ok || got != w {
			t.Errorf("%s: %+v (present: %v), want %+v", path, got, ok, w)
		}
	}
	for _, shell := range []string{"bin/sh", "bin/bash", "bin/busybox"} {
		if _, ok := files[shell]; ok {
			t.Errorf("the image has %s", shell)
		}
	}
}

// layerDigests lists the digests of img's config and layers.
func layerDigests(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	config, err := img.ConfigName()
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	digests := []v1.Hash{config}
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, d)
	}
	return digests
}

func untar(t *testing.T, archive, dir string) {
	t.Helper()
	f, err := os.Open(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(dir, filepath.FromSlash(hdr.Name))
		if hdr.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(target, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var buf bytes.Buffer
		if _, err := io.Copy(&buf, tr); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(target, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
