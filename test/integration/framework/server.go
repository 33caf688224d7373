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

// Package framework starts a real example-apiserver in the test process: the same options,
// config and server as the binary, on 127.0.0.1 with its embedded etcd.
package framework

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"example.com/example-apiserver/pkg/cmd/server"
	clientset "example.com/example-apiserver/pkg/generated/clientset/versioned"
)

// readyTimeout bounds the wait for /readyz; a cold etcd and OpenAPI build on a busy 2-core
// machine take a few seconds.
const readyTimeout = 90 * time.Second

// TestServer is a running in-process example-apiserver.
type TestServer struct {
	// ClientConfig reaches the server as a privileged loopback client.
	ClientConfig *rest.Config
	// Client is the generated clientset for example.com.
	Client clientset.Interface
	// CertDir holds the self-signed serving certificate.
	CertDir string
	// EtcdServers are the client URLs of the server's etcd, EtcdPrefix its key prefix: for tests
	// that look at what is stored.
	EtcdServers []string
	EtcdPrefix  string
	// RESTOptionsGetter is the server's storage configuration, for benchmarks of a
	// resource's store without the HTTP layer.
	RESTOptionsGetter generic.RESTOptionsGetter

	stop func()
}

// StartServer starts a standalone server (no kube-apiserver) with extraFlags appended to the
// defaults. Stop must be called to stop it and its etcd.
func StartServer(extraFlags ...string) (*TestServer, error) {
	return StartServerWithOptions(nil, extraFlags...)
}

// StartServerWithOptions is StartServer with configure, if not nil, called on the options
// once the flags are parsed: for what no flag sets, such as a fake clock.
func StartServerWithOptions(configure func(*server.Options), extraFlags ...string) (*TestServer, error) {
	certDir, err := os.MkdirTemp("", "example-apiserver-test-")
	if err != nil {
		return nil, err
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(certDir))
	}

	o := server.NewOptions(os.Stdout, os.Stderr)
	fs := pflag.NewFlagSet("example-apiserver", pflag.ContinueOnError)
	for _, section := range o.Flags().FlagSets {
		fs.AddFlagSet(section)
	}
	flags := append([]string{"--standalone", "--cert-dir=" + certDir}, extraFlags...)
	if err := fs.Parse(flags); err != nil {
		return nil, errors.Join(err, listener.Close(), os.RemoveAll(certDir))
	}
	if configure != nil {
		configure(o)
	}
	o.RecommendedOptions.SecureServing.Listener = listener
	o.RecommendedOptions.SecureServing.BindPort = listener.Addr().(*net.TCPAddr).Port

	ctx, cancel := context.WithCancel(context.Background())
	stopEtcd := func() {}
	cleanup := func() {
		cancel()
		stopEtcd()
		_ = os.RemoveAll(certDir)
	}
	fail := func(err error) (*TestServer, error) {
		_ = listener.Close()
		cleanup()
		return nil, err
	}

	if err := o.ComponentGlobalsRegistry.Set(); err != nil {
		return fail(err)
	}
	if err := o.Complete(flags); err != nil {
		return fail(err)
	}
	if err := o.Validate(); err != nil {
		return fail(err)
	}
	if stopEtcd, err = o.StartEmbeddedEtcd(); err != nil {
		return fail(err)
	}
	config, err := o.Config()
	if err != nil {
		return fail(err)
	}
	srv, err := config.Complete().New()
	if err != nil {
		return fail(err)
	}

	// done is closed when the server has returned, with its error in runErr.
	done := make(chan struct{})
	var runErr error
	go func() {
		defer close(done)
		runErr = srv.GenericAPIServer.PrepareRun().RunWithContext(ctx)
	}()

	clientConfig := rest.CopyConfig(config.GenericConfig.LoopbackClientConfig)
	// Tests assert on warnings where they matter; elsewhere they would only flood the log.
	clientConfig.WarningHandler = rest.NoWarnings{}
	storage := o.RecommendedOptions.Etcd.StorageConfig
	ts := &TestServer{
		ClientConfig: clientConfig,
		CertDir:      certDir,
		EtcdServers:  storage.Transport.ServerList,
		EtcdPrefix:   storage.Prefix,

		RESTOptionsGetter: config.GenericConfig.RESTOptionsGetter,
	}
	ts.stop = func() {
		cancel()
		<-done // the generic server has closed its listener and stopped its storage
		stopEtcd()
		_ = os.RemoveAll(certDir)
	}

	if err := waitReady(ctx, clientConfig, done, &runErr); err != nil {
		ts.Stop()
		return nil, err
	}
	if ts.Client, err = clientset.NewForConfig(clientConfig); err != nil {
		ts.Stop()
		return nil, err
	}
	return ts, nil
}

// Stop stops the server and its etcd and removes their files.
func (s *TestServer) Stop() { s.stop() }

// KubeClient returns a client-go clientset for the generic endpoints (discovery, raw paths).
func (s *TestServer) KubeClient() (kubernetes.Interface, error) {
	return kubernetes.NewForConfig(s.ClientConfig)
}

// Metrics returns the server's /metrics, read as its admin.
func (s *TestServer) Metrics(ctx context.Context) ([]byte, error) {
	kube, err := s.KubeClient()
	if err != nil {
		return nil, err
	}
	return kube.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
}

func waitReady(ctx context.Context, config *rest.Config, done <-chan struct{}, runErr *error) error {
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	var lastErr error
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, readyTimeout, true, func(ctx context.Context) (bool, error) {
		select {
		case <-done:
			return false, fmt.Errorf("server stopped before it was ready: %w", *runErr)
		default:
		}
		var status int
		lastErr = client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).StatusCode(&status).Error()
		return lastErr == nil && status == http.StatusOK, nil
	})
	if err != nil {
		return fmt.Errorf("example-apiserver not ready: %w (last /readyz error: %v)", err, lastErr)
	}
	return nil
}
