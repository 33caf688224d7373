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
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

// installHint is what client-go prints when the plugin is not on PATH.
const installHint = programName + ` is required to authenticate to this cluster.
Install it from the example-apiserver repository with "make install" (into GOBIN), or:
  go install example.com/example-apiserver/cmd/example-credential-plugin@latest`

// setupOptions prints the kubectl commands that make a kubeconfig user run get-token.
type setupOptions struct {
	genericiooptions.IOStreams
	sourceFlags

	User    string
	Context string
	Cluster string
	Command string
}

// newCmdSetup returns "example-credential-plugin setup".
func newCmdSetup(streams genericiooptions.IOStreams) *cobra.Command {
	o := &setupOptions{IOStreams: streams, sourceFlags: sourceFlags{Expiration: time.Hour}, Command: programName}
	cmd := &cobra.Command{
		Use:   "setup --user NAME (source flags as for get-token)",
		Short: "Print the kubectl config commands that configure a user to run get-token",
		Example: `  example-credential-plugin setup --user ldap-alice --cluster local --login https://127.0.0.1:6443 --login-certificate-authority ca.crt --username alice | sh
  example-credential-plugin setup --user ci --cluster local --service-account team-a/ci --bootstrap-kubeconfig ~/.kube/bootstrap
  example-credential-plugin setup --user me --token-file /var/run/secrets/tokens/example | sh`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run()
		},
	}
	o.sourceFlags.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.User, "user", "example", "Name of the kubeconfig user to write.")
	cmd.Flags().StringVar(&o.Cluster, "cluster", "", "Also print a context joining this kubeconfig cluster and the user.")
	cmd.Flags().StringVar(&o.Context, "context", "", "Name of that context (default: the user's name).")
	cmd.Flags().StringVar(&o.Command, "command", o.Command, "The command the kubeconfig runs: a name on PATH or an absolute path.")
	return cmd
}

// Validate checks the source as get-token would, and the files it will read: a kubeconfig
// naming a missing file would fail only at its first kubectl command.
func (o *setupOptions) Validate() error {
	if o.User == "" {
		return fmt.Errorf("--user must not be empty")
	}
	if err := o.sourceFlags.Validate(); err != nil {
		return err
	}
	return o.absoluteFiles()
}

// absoluteFiles checks that each file get-token will read is a file, and makes its path
// absolute: kubectl runs the plugin in whatever directory kubectl itself is run. A token file
// is read on every run and may exist only where the kubeconfig is used (a projected
// ServiceAccount token), so only its path is made absolute.
func (o *setupOptions) absoluteFiles() error {
	files := []struct {
		flag      string
		path      *string
		mustExist bool
	}{
		{"token-file", &o.TokenFile, false},
		{"bootstrap-kubeconfig", &o.BootstrapKubeconfig, true},
		{"client-certificate", &o.ClientCertificate, true},
		{"client-key", &o.ClientKey, true},
		{"login-certificate-authority", &o.LoginCertificateAuthority, true},
		{"password-file", &o.PasswordFile, true},
	}
	for _, f := range files {
		if *f.path == "" {
			continue
		}
		if f.mustExist {
			info, err := os.Stat(*f.path)
			if err != nil {
				return fmt.Errorf("--%s %q: %w", f.flag, *f.path, err)
			}
			if !info.Mode().IsRegular() {
				return fmt.Errorf("--%s %q: not a file", f.flag, *f.path)
			}
		}
		abs, err := filepath.Abs(*f.path)
		if err != nil {
			return fmt.Errorf("--%s %q: %w", f.flag, *f.path, err)
		}
		*f.path = abs
	}
	return nil
}

// Args are the get-token arguments the kubeconfig passes.
func (o *setupOptions) Args() []string {
	args := []string{"get-token"}
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag+"="+value)
		}
	}
	add("token-file", o.TokenFile)
	add("service-account", o.ServiceAccount)
	for _, a := range o.Audiences {
		add("audience", a)
	}
	if o.ServiceAccount != "" {
		add("expiration", o.Expiration.String())
	}
	add("bootstrap-kubeconfig", o.BootstrapKubeconfig)
	add("bootstrap-context", o.BootstrapContext)
	add("client-certificate", o.ClientCertificate)
	add("client-key", o.ClientKey)
	add("token", o.Token)
	add("login", o.Login)
	add("login-certificate-authority", o.LoginCertificateAuthority)
	add("username", o.Username)
	add("password-file", o.PasswordFile)
	return args
}

// Run prints the commands, shell-quoted, ready to paste or pipe to sh.
func (o *setupOptions) Run() error {
	// A login without a password file asks on the terminal when kubectl has one.
	interactiveMode := "Never"
	if o.Login != "" && o.PasswordFile == "" {
		interactiveMode = "IfAvailable"
	}
	line := []string{"kubectl", "config", "set-credentials", o.User,
		"--exec-command=" + o.Command,
		"--exec-api-version=" + APIVersionV1,
		"--exec-interactive-mode=" + interactiveMode,
	}
	for _, a := range o.Args() {
		line = append(line, "--exec-arg="+a)
	}
	if o.Token != "" {
		fmt.Fprintln(o.Out, "# --token is for development only: the token is stored in the kubeconfig in clear.")
	}
	fmt.Fprintln(o.Out, shellJoin(line))
	if o.Cluster != "" {
		context := o.Context
		if context == "" {
			context = o.User
		}
		fmt.Fprintln(o.Out, shellJoin([]string{"kubectl", "config", "set-context", context, "--cluster=" + o.Cluster, "--user=" + o.User}))
	}
	fmt.Fprintln(o.Out, "# kubectl config set-credentials cannot set installHint; add it under users[].user.exec:")
	fmt.Fprintln(o.Out, "#   installHint: |")
	for _, l := range strings.Split(installHint, "\n") {
		fmt.Fprintln(o.Out, "#     "+l)
	}
	return nil
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// shellJoin quotes each word for a POSIX shell.
func shellJoin(words []string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if shellSafe.MatchString(w) {
			quoted[i] = w
		} else {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(quoted, " ")
}
