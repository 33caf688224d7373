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
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/cli-runtime/pkg/genericiooptions"
)

const (
	// minExpiration is the TokenRequest API's minimum token lifetime.
	minExpiration = 10 * time.Minute
	// staticTokenEnv carries a static token for development, instead of --token.
	staticTokenEnv = "EXAMPLE_CREDENTIAL_PLUGIN_TOKEN"
)

// sourceFlags choose where the credential comes from; exactly one source is allowed.
type sourceFlags struct {
	TokenFile string

	ServiceAccount      string
	Audiences           []string
	Expiration          time.Duration
	BootstrapKubeconfig string
	BootstrapContext    string

	ClientCertificate string
	ClientKey         string

	Token string

	Login                     string
	LoginCertificateAuthority string
	Username                  string
	PasswordFile              string
}

// AddFlags binds the source flags.
func (f *sourceFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&f.TokenFile, "token-file", f.TokenFile, "Read the token from this file on every run (e.g. a projected ServiceAccount token); a JWT's exp becomes the expiry.")
	fs.StringVar(&f.ServiceAccount, "service-account", f.ServiceAccount, "NAMESPACE/NAME: request a token for this ServiceAccount through the TokenRequest API, authenticated by --bootstrap-kubeconfig. Cached on disk.")
	fs.StringSliceVar(&f.Audiences, "audience", f.Audiences, "Audience of the requested token (repeatable); default: the API server's own.")
	fs.DurationVar(&f.Expiration, "expiration", f.Expiration, "Lifetime of the requested token; at least 10m.")
	fs.StringVar(&f.BootstrapKubeconfig, "bootstrap-kubeconfig", f.BootstrapKubeconfig, "Kubeconfig whose user may create tokens for --service-account (serviceaccounts/token create). It must not use this plugin itself.")
	fs.StringVar(&f.BootstrapContext, "bootstrap-context", f.BootstrapContext, "Context of --bootstrap-kubeconfig to use; default its current context.")
	fs.StringVar(&f.ClientCertificate, "client-certificate", f.ClientCertificate, "PEM client certificate file, with --client-key; its NotAfter is the expiry.")
	fs.StringVar(&f.ClientKey, "client-key", f.ClientKey, "PEM private key file of --client-certificate.")
	fs.StringVar(&f.Login, "login", f.Login, "URL of the cluster's API server: log in there with a directory account (login.example.com LoginRequest), with --username. The token is cached on disk until shortly before it expires.")
	fs.StringVar(&f.LoginCertificateAuthority, "login-certificate-authority", f.LoginCertificateAuthority, "PEM CA file that verifies --login's server; default: the system's roots.")
	fs.StringVar(&f.Username, "username", f.Username, "Directory user name to log in as, with --login.")
	fs.StringVar(&f.PasswordFile, "password-file", f.PasswordFile, "Read the password from this file instead of asking on the terminal (CI); $"+passwordEnv+" works too.")
	fs.StringVar(&f.Token, "token", f.Token, "A static token. FOR DEVELOPMENT ONLY: it shows in the process list and the kubeconfig; $"+staticTokenEnv+" is read when no source is given.")
}

// Validate checks that exactly one source is complete.
func (f *sourceFlags) Validate() error {
	var chosen []string
	if f.TokenFile != "" {
		chosen = append(chosen, "--token-file")
	}
	if f.ServiceAccount != "" {
		chosen = append(chosen, "--service-account")
	}
	if f.ClientCertificate != "" || f.ClientKey != "" {
		chosen = append(chosen, "--client-certificate/--client-key")
	}
	if f.Token != "" {
		chosen = append(chosen, "--token")
	}
	if f.Login != "" {
		chosen = append(chosen, "--login")
	}
	switch len(chosen) {
	case 0:
		return fmt.Errorf("no credential source: give one of --login, --token-file, --service-account, --client-certificate/--client-key or --token (or set $%s)", staticTokenEnv)
	case 1:
	default:
		return fmt.Errorf("choose one credential source, not %s", strings.Join(chosen, " and "))
	}
	if f.ServiceAccount != "" {
		ns, name, ok := strings.Cut(f.ServiceAccount, "/")
		if !ok || ns == "" || name == "" || strings.Contains(name, "/") {
			return fmt.Errorf("--service-account must be NAMESPACE/NAME, not %q", f.ServiceAccount)
		}
		if f.BootstrapKubeconfig == "" {
			return errors.New("--service-account needs --bootstrap-kubeconfig: the credentials that may request its tokens")
		}
		if f.Expiration < minExpiration {
			return fmt.Errorf("--expiration must be at least %s (the TokenRequest API's minimum), not %s", minExpiration, f.Expiration)
		}
	} else if len(f.Audiences) > 0 || f.BootstrapKubeconfig != "" || f.BootstrapContext != "" {
		return errors.New("--audience, --bootstrap-kubeconfig and --bootstrap-context go with --service-account")
	}
	if f.Login != "" {
		if u, err := url.Parse(f.Login); err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("--login must be the https:// URL of the cluster's API server, not %q", f.Login)
		}
		if f.Username == "" {
			return errors.New("--login needs --username: the directory account to log in as")
		}
	} else if f.Username != "" || f.PasswordFile != "" || f.LoginCertificateAuthority != "" {
		return errors.New("--username, --password-file and --login-certificate-authority go with --login")
	}
	if (f.ClientCertificate == "") != (f.ClientKey == "") {
		return errors.New("--client-certificate and --client-key go together")
	}
	return nil
}

// getTokenOptions prints one ExecCredential.
type getTokenOptions struct {
	genericiooptions.IOStreams
	Env Env
	sourceFlags

	CacheDir      string
	ForceRefresh  bool
	RefreshMargin time.Duration
	Timeout       time.Duration
	Verbose       bool

	apiVersion  string
	interactive bool
	source      credentialSource
}

// newCmdGetToken returns "example-credential-plugin get-token".
func newCmdGetToken(streams genericiooptions.IOStreams, env Env) *cobra.Command {
	o := &getTokenOptions{
		IOStreams:     streams,
		Env:           env,
		sourceFlags:   sourceFlags{Expiration: time.Hour},
		CacheDir:      defaultCacheDir(env.Getenv),
		RefreshMargin: 2 * time.Minute,
		Timeout:       time.Minute,
	}
	cmd := &cobra.Command{
		Use:   "get-token (--login URL --username U | --token-file F | --service-account NS/NAME --bootstrap-kubeconfig K | --client-certificate C --client-key K | --token T)",
		Short: "Print one ExecCredential for client-go (what kubeconfig users[].user.exec runs)",
		Long: `Print exactly one ExecCredential on stdout, in the apiVersion client-go asks for through
KUBERNETES_EXEC_INFO (client.authentication.k8s.io/v1 when run by hand; v1beta1 also works),
with status.expirationTimestamp whenever the source has an expiry.

Sources:
  --login URL --username U
                          log in with a directory account through the cluster's login API;
                          the password is asked on the terminal (no echo), or read from
                          --password-file or $` + passwordEnv + `; the token is cached
                          like --service-account's and a new login runs when it expires
  --token-file F          read on every run; a JWT's exp claim is the expiry
  --service-account NS/N  TokenRequest API through --bootstrap-kubeconfig; cached on disk in
                          ${KUBECACHEDIR:-~/.kube/cache}/example-credential-plugin until
                          --refresh-margin before it expires (a lock makes parallel kubectl
                          calls request one token)
  --client-certificate C --client-key K   expiry is the certificate's NotAfter
  --token T / $` + staticTokenEnv + `   a static token, for development only

Errors print one line on stderr and exit non-zero; secrets never go to stderr.`,
		Example: `  example-credential-plugin get-token --login https://kubernetes.example.com:6443 --username alice
  example-credential-plugin get-token --service-account team-a/ci --audience https://kubernetes.default.svc --bootstrap-kubeconfig ~/.kube/bootstrap
  example-credential-plugin get-token --token-file /var/run/secrets/tokens/example`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return o.Run(cmd.Context())
		},
	}
	o.sourceFlags.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.CacheDir, "cache-dir", o.CacheDir, "Cache directory (default ${KUBECACHEDIR:-~/.kube/cache}/"+cacheSubdir+").")
	cmd.Flags().BoolVar(&o.ForceRefresh, "force-refresh", false, "Ignore a cached credential and run the source again (the new one is cached).")
	cmd.Flags().DurationVar(&o.RefreshMargin, "refresh-margin", o.RefreshMargin, "Refresh a cached credential this long before it expires.")
	cmd.Flags().DurationVar(&o.Timeout, "timeout", o.Timeout, "Give up after this long, waiting for the cache lock and the source included.")
	cmd.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "Say on stderr which source ran or that the cache answered (never the credential).")
	return cmd
}

// Complete reads the environment: the static token variable and KUBERNETES_EXEC_INFO.
func (o *getTokenOptions) Complete() error {
	if o.Env.Getenv(nestedEnv) != "" {
		return fmt.Errorf("refusing to run inside itself: the bootstrap kubeconfig's exec plugin called %s again", programName)
	}
	if o.TokenFile == "" && o.ServiceAccount == "" && o.ClientCertificate == "" && o.ClientKey == "" && o.Token == "" && o.Login == "" {
		o.Token = o.Env.Getenv(staticTokenEnv)
	}
	var err error
	o.apiVersion, err = responseAPIVersion(o.Env.Getenv(execInfoEnv))
	o.interactive = isInteractive(o.Env.Getenv(execInfoEnv))
	return err
}

// Validate checks the flags and builds the source.
func (o *getTokenOptions) Validate() error {
	if err := o.sourceFlags.Validate(); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("--timeout must be positive, not %s", o.Timeout)
	}
	if o.RefreshMargin < 0 {
		return fmt.Errorf("--refresh-margin must not be negative, not %s", o.RefreshMargin)
	}
	if o.ServiceAccount != "" && o.RefreshMargin >= o.Expiration {
		return fmt.Errorf("--refresh-margin (%s) must be shorter than --expiration (%s), or every run would request a token", o.RefreshMargin, o.Expiration)
	}
	switch {
	case o.TokenFile != "":
		o.source = &tokenFileSource{path: o.TokenFile, clock: o.Env.Clock}
	case o.ServiceAccount != "":
		ns, name, _ := strings.Cut(o.ServiceAccount, "/")
		o.source = &serviceAccountSource{
			namespace: ns, name: name, audiences: o.Audiences, expiration: o.Expiration,
			bootstrapKubeconfig: o.BootstrapKubeconfig, bootstrapContext: o.BootstrapContext,
			self: o.Env.Executable,
		}
	case o.Login != "":
		o.source = &loginSource{
			server: strings.TrimSuffix(o.Login, "/"), caFile: o.LoginCertificateAuthority, username: o.Username,
			passwordFile: o.PasswordFile, getenv: o.Env.Getenv, interactive: o.interactive, readPassword: o.Env.ReadPassword,
		}
	case o.ClientCertificate != "":
		o.source = &clientCertificateSource{certFile: o.ClientCertificate, keyFile: o.ClientKey, clock: o.Env.Clock}
	default:
		o.source = &staticTokenSource{token: o.Token}
	}
	return nil
}

// Run gets the credential (from the cache when the source is cacheable) and prints it.
func (o *getTokenOptions) Run(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	cred, err := o.credential(ctx)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("gave up after --timeout %s: %w", o.Timeout, err)
		}
		return err
	}
	data, err := encodeExecCredential(o.apiVersion, cred)
	if err != nil {
		return err
	}
	_, err = o.Out.Write(data)
	return err
}

func (o *getTokenOptions) credential(ctx context.Context) (*credentialStatus, error) {
	cacheable, ok := o.source.(cacheableSource)
	if !ok {
		o.logf("running the source: %s", o.source.Describe())
		return o.source.Fetch(ctx)
	}
	key, err := cacheable.CacheKey()
	if err != nil {
		return nil, err
	}
	cache := &credentialCache{Dir: o.CacheDir}
	unlock, err := cache.Lock(ctx, key)
	if err != nil {
		return nil, err
	}
	defer unlock()

	now := o.Env.Clock.Now()
	if !o.ForceRefresh {
		if e := cache.Read(key); e != nil && now.Add(refreshMargin(o.RefreshMargin, e)).Before(e.Status.ExpirationTimestamp.Time) {
			o.logf("using the cached credential from %s (expires %s)", e.Source, e.Status.ExpirationTimestamp.UTC().Format(time.RFC3339))
			return e.Status, nil
		}
	}
	o.logf("running the source: %s", o.source.Describe())
	cred, err := cacheable.Fetch(ctx)
	if err != nil {
		return nil, err
	}
	if cred.ExpirationTimestamp != nil {
		if err := cache.Write(key, &cacheEntry{Source: o.source.Describe(), FetchedAt: now, Status: cred}); err != nil {
			// The credential is good; a read-only home only costs the next run a fetch.
			o.logf("not cached: %v", err)
		}
	}
	return cred, nil
}

// refreshMargin is margin, or a quarter of the cached credential's lifetime when that is
// shorter: a login token may live only a few minutes, and a margin longer than that would
// log in on every run.
func refreshMargin(margin time.Duration, e *cacheEntry) time.Duration {
	lifetime := e.Status.ExpirationTimestamp.Sub(e.FetchedAt)
	return min(margin, lifetime/4)
}

func (o *getTokenOptions) logf(format string, args ...any) {
	if o.Verbose {
		fmt.Fprintf(o.ErrOut, programName+": "+format+"\n", args...)
	}
}
