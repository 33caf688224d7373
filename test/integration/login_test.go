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

package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	loginv1alpha1 "example.com/example-apiserver/pkg/apis/login/v1alpha1"
	"example.com/example-apiserver/test/integration/framework"
	"example.com/example-apiserver/test/ldaptest"
	"example.com/example-apiserver/test/utils"
)

// The login through the real server: the generated clientset (protobuf) creates a
// LoginRequest against a real slapd, the webhook path accepts the token, and etcd holds
// nothing of it.
func TestLoginThroughTheServer(t *testing.T) {
	dir := ldaptest.Start(t)
	srv, _ := startLoginServer(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	password := dir.Password(t, "bob")
	answer, err := srv.Client.LoginV1alpha1().LoginRequests().Create(ctx, &loginv1alpha1.LoginRequest{
		Spec: loginv1alpha1.LoginRequestSpec{Username: "bob", Password: password},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if answer.Spec.Password != "" || answer.Status.Token == "" || answer.Status.User.Username != "ldap:bob" ||
		strings.Join(answer.Status.User.Groups, ",") != "ldap:readers" {
		t.Fatalf("answer %+v", answer)
	}
	_, err = srv.Client.LoginV1alpha1().LoginRequests().Create(ctx, &loginv1alpha1.LoginRequest{
		Spec: loginv1alpha1.LoginRequestSpec{Username: "bob", Password: "wrong"},
	}, metav1.CreateOptions{})
	if !apierrors.IsUnauthorized(err) {
		t.Fatalf("a wrong password: got %v, want 401", err)
	}

	reviewed := tokenReview(ctx, t, srv, answer.Status.Token)
	if !reviewed.Status.Authenticated || reviewed.Status.User.Username != "ldap:bob" || reviewed.Status.User.UID != answer.Status.User.UID {
		t.Fatalf("the webhook answered %+v for bob's token", reviewed.Status)
	}

	all, err := newEtcdClient(t, srv).Get(ctx, "/", clientv3.WithPrefix())
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range all.Kvs {
		if bytes.Contains(kv.Key, []byte("login")) || bytes.Contains(kv.Value, []byte(password)) || bytes.Contains(kv.Value, []byte(answer.Status.Token)) {
			t.Errorf("etcd holds a login: key %s", kv.Key)
		}
	}
}

// A directory account named like a certificate's user (kube-apiserver's webhook client,
// which RBAC lets post TokenReviews) must not get that user's name: with the default
// configuration every directory user name is prefixed.
func TestLoginDirectoryUserNamedLikeACertificateUser(t *testing.T) {
	const name = "kube-apiserver-authn-webhook"
	dir := ldaptest.StartWith(t, ldaptest.Options{Users: []string{name}})
	srv, _ := startLoginServer(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	answer, err := srv.Client.LoginV1alpha1().LoginRequests().Create(ctx, &loginv1alpha1.LoginRequest{
		Spec: loginv1alpha1.LoginRequestSpec{Username: name, Password: dir.Password(t, name)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	reviewed := tokenReview(ctx, t, srv, answer.Status.Token)
	if got := reviewed.Status.User.Username; !reviewed.Status.Authenticated || got != "ldap:"+name || answer.Status.User.Username != got {
		t.Fatalf("the directory's %s logged in as %q, the webhook answered %+v; want ldap:%s", name, answer.Status.User.Username, reviewed.Status, name)
	}
}

// startLoginServer starts the server with the login section hack/lib/ldap.sh writes for dir,
// stopped with the test; keysFile is its signing key file.
func startLoginServer(t *testing.T, dir *ldaptest.Directory) (srv *framework.TestServer, keysFile string) {
	t.Helper()
	keysFile = filepath.Join(t.TempDir(), "keys.pem")
	if err := os.WriteFile(keysFile, utils.NewKeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	configFile := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(configFile, dir.LoginConfigFile(t, keysFile), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := framework.StartServer("--config=" + configFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv, keysFile
}

// A signing key file that no longer parses leaves the keys read before in force, so a key
// its edit revoked goes on working: the server says so in /readyz, and in the readyz SLI
// metric, until the file is fixed.
func TestLoginSigningKeysReadiness(t *testing.T) {
	dir := ldaptest.Start(t)
	srv, keysFile := startLoginServer(t, dir)
	kube, err := srv.KubeClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	get := func(path string) (int, string) {
		var status int
		body, _ := kube.Discovery().RESTClient().Get().RequestURI(path).Do(ctx).StatusCode(&status).Raw()
		return status, string(body)
	}
	// waitReady polls the server's readiness until it is ready as wanted, or fails after 30s:
	// the server looks at the file every 10s.
	waitReady := func(ready bool) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			status, body := get("/readyz/login-signing-keys")
			if (status == 200) == ready {
				return body
			}
			if time.Now().After(deadline) {
				_, all := get("/readyz?verbose")
				t.Fatalf("/readyz/login-signing-keys: %d %s, want ready %v within 30s; /readyz?verbose:\n%s", status, body, ready, all)
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	waitReady(true)
	good, err := os.ReadFile(keysFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keysFile, []byte("not PEM"), 0o600); err != nil {
		t.Fatal(err)
	}
	if body := waitReady(false); !strings.Contains(body, keysFile) {
		t.Errorf("the failed check does not name the file: %s", body)
	}
	if _, verbose := get("/readyz?verbose"); !strings.Contains(verbose, "[-]login-signing-keys failed") {
		t.Errorf("/readyz?verbose:\n%s", verbose)
	}
	if _, slis := get("/metrics/slis"); !strings.Contains(slis, `kubernetes_healthcheck{name="login-signing-keys",type="readyz"} 0`) {
		t.Errorf("/metrics/slis has no failed login-signing-keys check:\n%s", slis)
	}
	if err := os.WriteFile(keysFile, good, 0o600); err != nil {
		t.Fatal(err)
	}
	waitReady(true)
}

// tokenReview asks the server's webhook path about token.
func tokenReview(ctx context.Context, t *testing.T, srv *framework.TestServer, token string) authenticationv1.TokenReview {
	t.Helper()
	review, err := json.Marshal(authenticationv1.TokenReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "authentication.k8s.io/v1", Kind: "TokenReview"},
		Spec:     authenticationv1.TokenReviewSpec{Token: token},
	})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := srv.Client.LoginV1alpha1().RESTClient().Post().AbsPath("/authenticate/tokenreview").Body(review).DoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reviewed authenticationv1.TokenReview
	if err := json.Unmarshal(raw, &reviewed); err != nil {
		t.Fatal(err)
	}
	return reviewed
}
