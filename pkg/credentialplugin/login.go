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
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"

	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
	loginclient "example.com/example-apiserver/pkg/generated/clientset/versioned/typed/login/v1alpha1"
)

// passwordEnv carries the password for non-interactive logins (CI), instead of a prompt.
const passwordEnv = "EXAMPLE_CREDENTIAL_PLUGIN_PASSWORD"

// maxPasswordFileBytes bounds --password-file: a password, not a disk image.
const maxPasswordFileBytes = 4096

// loginSource logs in with a directory account through the login API
// (login.example.com/v1alpha1 LoginRequest) and yields the token it answers with.
type loginSource struct {
	server, caFile, username string
	passwordFile             string
	getenv                   func(string) string
	// interactive is false when client-go said the plugin has no terminal (ExecCredential
	// spec.interactive); then the password must come from a file or the environment.
	interactive  bool
	readPassword func(prompt string) (string, error)
}

func (s *loginSource) Describe() string {
	return fmt.Sprintf("login as %s at %s", s.username, s.server)
}

// CacheKey names the account and the server: one cached token per user and cluster.
func (s *loginSource) CacheKey() (string, error) {
	key, err := json.Marshal(map[string]string{
		"source": "login", "server": s.server, "username": s.username, "ca": absPathOrEmpty(s.caFile),
	})
	return string(key), err
}

func (s *loginSource) Fetch(ctx context.Context) (*credentialStatus, error) {
	password, err := s.password()
	if err != nil {
		return nil, err
	}
	// No credentials: the login API is the one resource open to anonymous requests. JSON
	// rather than protobuf: the one request is small, and a proxy or test server can read it.
	client, err := loginclient.NewForConfig(&rest.Config{
		Host:            s.server,
		TLSClientConfig: rest.TLSClientConfig{CAFile: s.caFile},
		UserAgent:       programName,
		ContentConfig:   rest.ContentConfig{ContentType: runtime.ContentTypeJSON, AcceptContentTypes: runtime.ContentTypeJSON},
	})
	if err != nil {
		return nil, err
	}
	answer, err := client.LoginRequests().Create(ctx, &loginv1alpha1.LoginRequest{
		Spec: loginv1alpha1.LoginRequestSpec{Username: s.username, Password: password},
	}, metav1.CreateOptions{})
	if err != nil {
		return nil, s.explain(err)
	}
	if answer.Status.Token == "" || answer.Status.ExpirationTimestamp.IsZero() {
		return nil, fmt.Errorf("the login at %s answered without a token", s.server)
	}
	exp := answer.Status.ExpirationTimestamp
	return &credentialStatus{Token: answer.Status.Token, ExpirationTimestamp: &exp}, nil
}

// explain turns the login API's answers into what the user should do.
func (s *loginSource) explain(err error) error {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return fmt.Errorf("logging in at %s: %w", s.server, err)
	}
	msg := status.Status().Message
	switch {
	case apierrors.IsUnauthorized(err):
		return fmt.Errorf("login as %s at %s refused: %s", s.username, s.server, msg)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("login at %s is not open to anonymous requests (%s): the cluster must bind example-apiserver:login to system:unauthenticated and allow anonymous requests", s.server, msg)
	case apierrors.IsNotFound(err):
		return fmt.Errorf("%s does not serve the login API (login.example.com/v1alpha1): %s", s.server, msg)
	}
	return fmt.Errorf("login at %s failed: %s", s.server, msg)
}

// password reads --password-file, else $EXAMPLE_CREDENTIAL_PLUGIN_PASSWORD, else asks on the
// terminal without echo.
func (s *loginSource) password() (string, error) {
	if s.passwordFile != "" {
		f, err := os.Open(s.passwordFile)
		if err != nil {
			return "", fmt.Errorf("reading --password-file: %w", err)
		}
		defer f.Close()
		buf := make([]byte, maxPasswordFileBytes+1)
		n, _ := f.Read(buf)
		if n > maxPasswordFileBytes {
			return "", fmt.Errorf("--password-file %s is larger than a password (%d bytes at most)", s.passwordFile, maxPasswordFileBytes)
		}
		p := strings.TrimRight(string(buf[:n]), "\r\n")
		if p == "" {
			return "", fmt.Errorf("--password-file %s is empty", s.passwordFile)
		}
		return p, nil
	}
	if p := s.getenv(passwordEnv); p != "" {
		return p, nil
	}
	if !s.interactive {
		return "", fmt.Errorf("no password for %s: kubectl gave the plugin no terminal; give --password-file or set $%s", s.username, passwordEnv)
	}
	p, err := s.readPassword(fmt.Sprintf("Password for %s at %s: ", s.username, s.server))
	if err != nil {
		return "", fmt.Errorf("asking for the password of %s: %w (or give --password-file or set $%s)", s.username, err, passwordEnv)
	}
	if p == "" {
		return "", errors.New("no password typed")
	}
	return p, nil
}

// readPasswordFromTTY prompts on the controlling terminal and reads a line without echo:
// kubectl keeps the plugin's stdout for the ExecCredential, and its stdin may be a pipe.
func readPasswordFromTTY(prompt string) (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("no terminal: %w", err)
	}
	defer tty.Close()
	if _, err := fmt.Fprint(tty, prompt); err != nil {
		return "", err
	}
	p, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return "", err
	}
	return string(p), nil
}

func absPathOrEmpty(p string) string {
	if p == "" {
		return ""
	}
	return absPath(p)
}
