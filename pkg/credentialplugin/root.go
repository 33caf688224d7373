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

package credentialplugin

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/utils/clock"

	"example.com/example-apiserver/pkg/version"
)

// programName is the executable's name, as kubeconfigs call it.
const programName = "example-credential-plugin"

// Env is what the commands read from the process: the environment, the clock and the path of
// this executable. Tests fake all three.
type Env struct {
	Getenv func(string) string
	Clock  clock.Clock
	// Executable is this program's path (to refuse a bootstrap kubeconfig that runs it again).
	Executable string
	// ReadPassword asks the user for a password.
	ReadPassword func(prompt string) (string, error)
}

// ProcessEnv is the real environment.
func ProcessEnv() Env {
	self, _ := os.Executable()
	return Env{Getenv: os.Getenv, Clock: clock.RealClock{}, Executable: self, ReadPassword: readPasswordFromTTY}
}

// NewCommand returns the example-credential-plugin root command.
func NewCommand(streams genericiooptions.IOStreams, env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   programName,
		Short: "A client-go exec credential plugin for clusters serving example.com",
		Long: `example-credential-plugin gives kubectl and other client-go programs credentials
through the kubeconfig's users[].user.exec: "get-token" prints one ExecCredential.
"setup" prints the kubectl commands that configure it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.SetIn(streams.In)
	cmd.SetOut(streams.Out)
	cmd.SetErr(streams.ErrOut)
	cmd.AddCommand(
		newCmdGetToken(streams, env),
		newCmdSetup(streams),
		newCmdClean(streams, env),
		&cobra.Command{
			Use:   "version",
			Short: "Print the plugin's version",
			Args:  cobra.NoArgs,
			Run: func(cmd *cobra.Command, _ []string) {
				fmt.Fprintln(streams.Out, version.String(programName))
			},
		},
	)
	return cmd
}

// ErrorLine renders err as the one line the plugin prints on stderr: client-go shows the
// plugin's stderr to the user, so it must be short and never carry a secret.
func ErrorLine(err error) string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
	return programName + ": " + msg
}

// cleanOptions removes the on-disk cache.
type cleanOptions struct {
	genericiooptions.IOStreams
	CacheDir string
}

// newCmdClean returns "example-credential-plugin clean".
func newCmdClean(streams genericiooptions.IOStreams, env Env) *cobra.Command {
	o := &cleanOptions{IOStreams: streams, CacheDir: defaultCacheDir(env.Getenv)}
	cmd := &cobra.Command{
		Use:   "clean",
		Short: "Remove every cached credential",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := (&credentialCache{Dir: o.CacheDir}).Clean()
			if err != nil {
				return err
			}
			fmt.Fprintf(o.Out, "removed %d cached credential(s) from %s\n", n, o.CacheDir)
			return nil
		},
	}
	cmd.Flags().StringVar(&o.CacheDir, "cache-dir", o.CacheDir, "Cache directory (default ${KUBECACHEDIR:-~/.kube/cache}/"+cacheSubdir+").")
	return cmd
}
