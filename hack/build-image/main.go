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

// Command build-image writes the image of one static binary as an archive that docker load,
// podman load and ctr images import accept and crane push pushes, reproducibly: the same
// binary, CA bundle, labels and --created give the same digest. It prints the image's name,
// digest and archive. make image runs it for each of our images.
//
//	build-image --ref example.com/pause:v0.1.0-dev --binary _output/bin/pause \
//	  --created 2026-01-02T03:04:05Z --output _output/images/pause.tar
package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/pflag"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintf(os.Stderr, "build-image: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	flags := pflag.NewFlagSet("build-image", pflag.ContinueOnError)
	ref := flags.String("ref", "", "the image's name, registry/repository:tag")
	binary := flags.String("binary", "", "the static binary, installed as "+binDir+"/<its name> and run as the entrypoint")
	extra := flags.StringArray("extra-binary", nil, "another static binary, installed beside --binary (repeatable)")
	caBundle := flags.String("ca-bundle", "", "a PEM bundle of CA certificates, installed as "+caBundlePath+" (none if empty)")
	created := flags.String("created", "", "the image's creation time (RFC 3339), also every file's: the commit's time, for a reproducible digest")
	labels := flags.StringToString("label", nil, "a label of the image config, key=value (repeatable)")
	arch := flags.String("arch", runtime.GOARCH, "the binary's GOARCH")
	output := flags.String("output", "", "the archive to write")
	if err := flags.Parse(args); err != nil {
		return err
	}
	var missing []string
	for _, required := range []struct{ flag, value string }{{"ref", *ref}, {"binary", *binary}, {"created", *created}, {"output", *output}} {
		if required.value == "" {
			missing = append(missing, "--"+required.flag)
		}
	}
	if len(missing) > 0 || flags.NArg() > 0 {
		return fmt.Errorf("usage: build-image --ref NAME --binary PATH --created TIME --output PATH [--extra-binary PATH]... [--ca-bundle PATH] [--label K=V]... (missing: %s; extra: %q)", strings.Join(missing, " "), flags.Args())
	}
	tag, err := name.NewTag(*ref, name.StrictValidation)
	if err != nil {
		return fmt.Errorf("--ref: %w", err)
	}
	createdAt, err := time.Parse(time.RFC3339, *created)
	if err != nil {
		return fmt.Errorf("--created: %w", err)
	}
	img, err := buildImage(spec{ref: tag, binary: *binary, extra: *extra, caBundle: *caBundle, created: createdAt, labels: *labels, arch: *arch})
	if err != nil {
		return err
	}
	if err := writeArchive(*output, tag, img, createdAt); err != nil {
		return err
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("%s %s %s\n", tag, digest, *output)
	return nil
}
