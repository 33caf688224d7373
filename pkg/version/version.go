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

// Package version is the release of this project's binaries, stamped by the Makefile with
// -ldflags -X. It is kept apart from k8s.io/component-base/version on purpose: that one names
// the Kubernetes release our libraries are, and the libraries derive feature gates, emulation
// version and metric deprecation from it, so it must stay a Kubernetes version (v1.37.x).
package version

import (
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/spf13/pflag"
	apimachineryversion "k8s.io/apimachinery/pkg/version"
)

// Set with -ldflags "-X example.com/example-apiserver/pkg/version.gitVersion=...".
var (
	gitVersion = "v0.0.0-dev"
	gitCommit  = ""
	buildDate  = "1970-01-01T00:00:00Z"
)

// Get returns the binary's version.
func Get() apimachineryversion.Info {
	return apimachineryversion.Info{
		GitVersion: gitVersion,
		GitCommit:  gitCommit,
		BuildDate:  buildDate,
		GoVersion:  runtime.Version(),
		Compiler:   runtime.Compiler,
		Platform:   runtime.GOOS + "/" + runtime.GOARCH,
	}
}

// String is the one line `--version` and `version` commands print for program.
func String(program string) string {
	v := Get()
	return fmt.Sprintf("%s %s (commit %s, built %s, %s %s)", program, v.GitVersion, v.GitCommit, v.BuildDate, v.GoVersion, v.Platform)
}

// requested is --version's value: "false", "true" or "raw" (every field, Go syntax).
type requested string

func (r *requested) String() string { return string(*r) }
func (r *requested) Type() string   { return "version" }

func (r *requested) Set(value string) error {
	if value == "raw" {
		*r = "raw"
		return nil
	}
	b, err := strconv.ParseBool(value)
	if err != nil {
		return fmt.Errorf("must be true, false or raw")
	}
	*r = requested(strconv.FormatBool(b))
	return nil
}

var versionFlag = requested("false")

// AddFlags registers --version on fs.
func AddFlags(fs *pflag.FlagSet) {
	fs.Var(&versionFlag, "version", "Print the version and quit; --version=raw prints every field.")
	fs.Lookup("version").NoOptDefVal = "true"
}

// PrintAndExitIfRequested prints program's version and exits when --version was given.
func PrintAndExitIfRequested(program string) {
	switch versionFlag {
	case "raw":
		fmt.Printf("%#v\n", Get())
	case "true":
		fmt.Println(String(program))
	default:
		return
	}
	os.Exit(0)
}
