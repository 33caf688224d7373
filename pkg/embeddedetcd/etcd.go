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

// Package embeddedetcd runs a single-member etcd inside the example-apiserver process on
// 127.0.0.1, so one binary is enough for local use and tests when no --etcd-servers is given.
package embeddedetcd

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

// startTimeout bounds how long a fresh member may take to elect itself leader.
const startTimeout = 60 * time.Second

// Server is a running embedded etcd.
type Server struct {
	etcd       *embed.Etcd
	clientURL  string
	removeData string
}

// Start starts etcd with its data in dataDir. An empty dataDir means a temporary directory that
// is removed again by Stop, because nothing should outlive a throwaway server.
func Start(dataDir string) (*Server, error) {
	s := &Server{}
	if dataDir == "" {
		dir, err := os.MkdirTemp("", "example-apiserver-etcd-")
		if err != nil {
			return nil, fmt.Errorf("embedded etcd: %w", err)
		}
		dataDir, s.removeData = dir, dir
	}
	clientURL, err := loopbackURL()
	if err != nil {
		return nil, s.cleanup(err)
	}
	peerURL, err := loopbackURL()
	if err != nil {
		return nil, s.cleanup(err)
	}

	cfg := embed.NewConfig()
	cfg.Name = "example-apiserver"
	cfg.Dir = dataDir
	cfg.ListenClientUrls = []url.URL{*clientURL}
	cfg.AdvertiseClientUrls = []url.URL{*clientURL}
	cfg.ListenPeerUrls = []url.URL{*peerURL}
	cfg.AdvertisePeerUrls = []url.URL{*peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	// etcd's own zap logs are silenced: its failures reach us through e.Err() and the storage
	// client, and at shutdown it logs closed-connection errors that are not errors for us.
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, s.cleanup(fmt.Errorf("embedded etcd: %w", err))
	}
	s.etcd = e
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		return nil, s.cleanup(fmt.Errorf("embedded etcd: %w", err))
	case <-time.After(startTimeout):
		return nil, s.cleanup(fmt.Errorf("embedded etcd: not ready after %s", startTimeout))
	}
	s.clientURL = clientURL.String()
	klog.InfoS("Embedded etcd is serving", "url", s.clientURL, "dataDir", dataDir, "ephemeral", s.removeData != "")
	return s, nil
}

// ClientURL is the URL to give as --etcd-servers.
func (s *Server) ClientURL() string { return s.clientURL }

// Stop stops etcd and removes a temporary data directory.
func (s *Server) Stop() {
	_ = s.cleanup(nil)
}

func (s *Server) cleanup(err error) error {
	if s.etcd != nil {
		s.etcd.Close()
		s.etcd = nil
	}
	if s.removeData != "" {
		if rmErr := os.RemoveAll(s.removeData); rmErr != nil && err == nil {
			err = rmErr
		}
		s.removeData = ""
	}
	return err
}

// loopbackURL returns an http URL on a port of 127.0.0.1 that was free a moment ago.
func loopbackURL() (*url.URL, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("embedded etcd: no free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return nil, err
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}, nil
}
