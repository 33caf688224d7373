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
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestReadmeTryIt runs the shell blocks of the README's "Try it" section as written, so that
// they cannot drift from what the project does. The first block must succeed; every later
// block ends with a comment "# error: ..." that it must fail with. Lines that set up the stack
// and its environment (make, export) are the test's to do: it runs the blocks in a namespace of
// their own, with the built kubectl and freshly built plugins on PATH.
func TestReadmeTryIt(t *testing.T) {
	t.Parallel() // the CronTab's first run waits for a minute boundary
	readme, err := os.ReadFile(filepath.Join(stack.Root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := shellBlocks(markdownSection(string(readme), "## Try it"))
	if len(blocks) < 2 {
		t.Fatalf("the README's Try it section has %d shell blocks, want the commands and an error", len(blocks))
	}

	ns := stack.Namespace(t, "e2e-readme")
	t.Cleanup(func() { _, _ = stack.Kubectl("delete", "customresource", "hello", "--ignore-not-found") })
	kubeconfig := copyAdminKubeconfig(t)
	stack.MustKubectl(t, "--kubeconfig", kubeconfig, "config", "set-context", "--current", "--namespace", ns)
	env := append(os.Environ(),
		"KUBECONFIG="+kubeconfig,
		"KUBECACHEDIR="+t.TempDir(),
		"PATH="+buildPlugins(t)+string(os.PathListSeparator)+filepath.Join(stack.Root, "_output", "bin")+string(os.PathListSeparator)+os.Getenv("PATH"),
	)

	if out, err := runShellBlock(env, withoutStackSetUp(blocks[0])); err != nil {
		stack.Fatalf(t, "the README's Try it commands failed: %v\n%s", err, out)
	}
	for _, block := range blocks[1:] {
		want, ok := expectedError(block)
		if !ok {
			t.Fatalf("a later Try it block does not end with the \"# error: ...\" it fails with:\n%s", block)
		}
		out, err := runShellBlock(env, block)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("the README's block\n%s\nended with %v, output:\n%s\nwant it to fail with %q", block, err, out, want)
		}
	}
}

// markdownSection is the text under heading, up to the next heading of the same level.
func markdownSection(doc, heading string) string {
	_, rest, found := strings.Cut(doc, "\n"+heading+"\n")
	if !found {
		return ""
	}
	level := heading[:strings.Index(heading, " ")+1]
	if end := strings.Index(rest, "\n"+level); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// shellBlocks are the bodies of the ```sh blocks of text.
func shellBlocks(text string) []string {
	var blocks []string
	for {
		_, rest, found := strings.Cut(text, "```sh\n")
		if !found {
			return blocks
		}
		body, after, _ := strings.Cut(rest, "```")
		blocks = append(blocks, body)
		text = after
	}
}

// withoutStackSetUp drops the lines that bring the stack up or point the shell at it.
func withoutStackSetUp(block string) string {
	var kept []string
	for _, line := range strings.Split(block, "\n") {
		if strings.HasPrefix(line, "make ") || strings.HasPrefix(line, "export ") {
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n")
}

// expectedError is the text of a block's last line, "# error: TEXT".
func expectedError(block string) (string, bool) {
	lines := strings.Split(strings.TrimSpace(block), "\n")
	return strings.CutPrefix(lines[len(lines)-1], "# error: ")
}

func runShellBlock(env []string, block string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-euxo", "pipefail", "-c", block)
	cmd.Dir = stack.Root
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}
