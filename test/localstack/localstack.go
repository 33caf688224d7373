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

// Package localstack drives hack/local-up.sh for the programs that need a local control
// plane (the e2e suite, make bench): run its commands with a state directory, read the env
// file it writes.
package localstack

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Run runs `hack/local-up.sh command` of the repository at root with its state in dir, the
// binaries already built, and extraEnv (KEY=value) added; it returns the combined output.
func Run(root, dir, command string, extraEnv ...string) (string, error) {
	cmd := exec.Command(filepath.Join(root, "hack", "local-up.sh"), command)
	cmd.Env = append(append(os.Environ(), "LOCAL_UP_DIR="+dir, "LOCAL_UP_SKIP_BUILD=1"), extraEnv...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// ReadEnv parses the sourceable env file hack/local-up.sh writes (ports, PIDs, paths).
func ReadEnv(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	env := map[string]string{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(scanner.Text()), "export ")
		if key, value, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			env[key] = strings.Trim(value, `"'`)
		}
	}
	return env, scanner.Err()
}
