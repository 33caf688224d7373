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
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// binDir holds the image's binary; it is on PATH, so a pod's command may name it bare.
	binDir = "/usr/local/bin"
	// caBundlePath is where Go's crypto/x509 looks first on Linux.
	caBundlePath = "/etc/ssl/certs/ca-certificates.crt"
	// nonroot is distroless' unprivileged user and group, the runAsUser of artifacts/deploy.
	nonroot = 65532
	// containerdImageName names an image in an archive for containerd's importer (ctr images
	// import); OCI's ref.name carries the same full name for podman and skopeo.
	containerdImageName = "io.containerd.image.name"
)

// spec is one image: a static binary as its entrypoint, run as nonroot.
type spec struct {
	ref    name.Tag
	binary string // path on this machine
	// extra are more binaries beside it in binDir, for a pod's probes (etcd's etcdctl).
	extra    []string
	caBundle string // path on this machine, or "" for an image that makes no TLS connections
	// created is the image's and every file's time: the commit's, so that the same commit
	// builds the same digest.
	created time.Time
	labels  map[string]string
	arch    string
}

// file is one entry of a layer; a nil data is a directory.
type file struct {
	path string
	mode int64
	uid  int
	data []byte
}

// buildImage assembles the image of s: a base layer (passwd and group with root and nonroot,
// nonroot's home, /tmp, the CA bundle) and a layer with the binary (and s.extra).
func buildImage(s spec) (v1.Image, error) {
	bin, err := os.ReadFile(s.binary)
	if err != nil {
		return nil, err
	}
	base := []file{
		{path: "/etc/passwd", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:%d:%d:nonroot:/home/nonroot:/sbin/nologin\n", nonroot, nonroot))},
		{path: "/etc/group", mode: 0o644, data: []byte(fmt.Sprintf("root:x:0:\nnonroot:x:%d:\n", nonroot))},
		{path: "/home/nonroot", mode: 0o700, uid: nonroot},
		// A mount point for an emptyDir under a read-only root filesystem.
		{path: "/tmp", mode: 0o1777},
	}
	baseCreatedBy := "build-image: users, /tmp"
	if s.caBundle != "" {
		ca, err := os.ReadFile(s.caBundle)
		if err != nil {
			return nil, err
		}
		base = append(base, file{path: caBundlePath, mode: 0o644, data: ca})
		baseCreatedBy += ", " + caBundlePath
	}
	entrypoint := path.Join(binDir, filepath.Base(s.binary))
	binaries := []file{{path: entrypoint, mode: 0o755, data: bin}}
	createdBy := "build-image: " + entrypoint
	for _, extra := range s.extra {
		data, err := os.ReadFile(extra)
		if err != nil {
			return nil, err
		}
		binaries = append(binaries, file{path: path.Join(binDir, filepath.Base(extra)), mode: 0o755, data: data})
		createdBy += " " + path.Join(binDir, filepath.Base(extra))
	}
	layers := []struct {
		files     []file
		createdBy string
	}{
		{base, baseCreatedBy},
		{binaries, createdBy},
	}

	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	created := v1.Time{Time: s.created.UTC()}
	for _, l := range layers {
		layer, err := newLayer(l.files, s.created)
		if err != nil {
			return nil, err
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:     layer,
			MediaType: types.OCILayer,
			History:   v1.History{Created: created, CreatedBy: l.createdBy},
		})
		if err != nil {
			return nil, err
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = "linux"
	cf.Architecture = s.arch
	cf.Created = created
	cf.Config = v1.Config{
		Entrypoint: []string{entrypoint},
		User:       fmt.Sprintf("%d:%d", nonroot, nonroot),
		Env:        []string{"PATH=" + binDir + ":/usr/bin:/bin"},
		WorkingDir: "/",
		Labels:     s.labels,
	}
	return mutate.ConfigFile(img, cf)
}

// newLayer writes files, with every parent directory before them, as a tar owned by root
// (but for a file's own uid) at mtime, in a fixed order.
func newLayer(files []file, mtime time.Time) (v1.Layer, error) {
	entries := map[string]file{}
	for _, f := range files {
		for dir := path.Dir(f.path); dir != "/"; dir = path.Dir(dir) {
			if _, ok := entries[dir]; !ok {
				entries[dir] = file{path: dir, mode: 0o755}
			}
		}
		entries[f.path] = f
	}
	paths := make([]string, 0, len(entries))
	for p := range entries {
		paths = append(paths, p)
	}
	sort.Strings(paths)

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, p := range paths {
		f := entries[p]
		hdr := &tar.Header{
			Name:    strings.TrimPrefix(p, "/"),
			Mode:    f.mode,
			Uid:     f.uid,
			Gid:     f.uid,
			ModTime: mtime.UTC(),
		}
		if f.data == nil {
			hdr.Typeflag, hdr.Name = tar.TypeDir, hdr.Name+"/"
		} else {
			hdr.Typeflag, hdr.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}, tarball.WithMediaType(types.OCILayer))
}

// writeArchive writes img named ref to out as one tar that is both an OCI image layout
// (oci-layout, index.json, blobs/) and a docker archive (manifest.json naming the same
// blobs), as docker save writes since Docker 25: docker load, podman load, ctr images import
// and crane push read it.
func writeArchive(out string, ref name.Tag, img v1.Image, mtime time.Time) error {
	dir, err := os.MkdirTemp(filepath.Dir(out), ".build-image-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{
		containerdImageName:                 ref.String(),
		"org.opencontainers.image.ref.name": ref.String(),
	})); err != nil {
		return err
	}
	config, err := img.ConfigName()
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	docker := tarball.Descriptor{Config: blobPath(config), RepoTags: []string{ref.String()}}
	for _, l := range layers {
		digest, err := l.Digest()
		if err != nil {
			return err
		}
		docker.Layers = append(docker.Layers, blobPath(digest))
	}
	manifest, err := json.Marshal(tarball.Manifest{docker})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), manifest, 0o644); err != nil {
		return err
	}
	return tarDir(dir, out, mtime)
}

func blobPath(h v1.Hash) string { return path.Join("blobs", h.Algorithm, h.Hex) }

// tarDir archives the files under dir into out (through a temporary file, so an
// interrupted build leaves no half archive), in a fixed order with fixed owners, modes and times.
func tarDir(dir, out string, mtime time.Time) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(out), ".build-image-*.tar")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	tw := tar.NewWriter(tmp)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		hdr := &tar.Header{Name: filepath.ToSlash(rel), Mode: 0o644, ModTime: mtime.UTC(), Typeflag: tar.TypeReg}
		if d.IsDir() {
			hdr.Name, hdr.Mode, hdr.Typeflag = hdr.Name+"/", 0o755, tar.TypeDir
			return tw.WriteHeader(hdr)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		hdr.Size = int64(len(data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err = tw.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
