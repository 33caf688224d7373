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

package framework

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/test/utils"
)

// Exporter serves Prometheus text metrics whose values the test sets.
type Exporter struct {
	*httptest.Server
	mu     sync.Mutex
	series map[string]float64
}

// NewExporter starts an exporter on 127.0.0.1.
func NewExporter() *Exporter {
	e := &Exporter{series: map[string]float64{}}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		e.mu.Lock()
		defer e.mu.Unlock()
		lines := make([]string, 0, len(e.series))
		for series, value := range e.series {
			lines = append(lines, fmt.Sprintf("%s %g", series, value))
		}
		sort.Strings(lines)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		fmt.Fprintln(w, strings.Join(lines, "\n"))
	}))
	return e
}

// Set sets a series, e.g. Set(`http_requests{namespace="shop"}`, 450).
func (e *Exporter) Set(series string, value float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.series[series] = value
}

// Prometheus is a real Prometheus server (Debian's package) on 127.0.0.1.
type Prometheus struct {
	URL     string
	dir     string
	args    []string
	process *utils.Process
}

// ScrapeConfig is one scrape job of a Prometheus configuration file, the fields the suite uses.
type ScrapeConfig struct {
	JobName       string         `json:"job_name"`
	Scheme        string         `json:"scheme,omitempty"`
	StaticConfigs []StaticConfig `json:"static_configs"`
	TLSConfig     *TLSConfig     `json:"tls_config,omitempty"`
	Authorization *Authorization `json:"authorization,omitempty"`
}

// StaticConfig lists targets (host:port).
type StaticConfig struct {
	Targets []string `json:"targets"`
}

// TLSConfig is how Prometheus verifies a target's serving certificate.
type TLSConfig struct {
	CAFile             string `json:"ca_file,omitempty"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify,omitempty"`
}

// Authorization is the credential Prometheus presents, e.g. a bearer token read from a file.
type Authorization struct {
	CredentialsFile string `json:"credentials_file"`
}

// StartPrometheus starts Prometheus in dir, scraping jobs and evaluating ruleFiles every second.
func StartPrometheus(dir string, ruleFiles []string, jobs ...ScrapeConfig) (*Prometheus, error) {
	binary, err := exec.LookPath("prometheus")
	if err != nil {
		return nil, fmt.Errorf("prometheus is not installed (apt-get install prometheus; .ci/run does): %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	config, err := yaml.Marshal(map[string]any{
		"global":         map[string]string{"scrape_interval": "1s", "evaluation_interval": "1s"},
		"rule_files":     ruleFiles,
		"scrape_configs": jobs,
	})
	if err != nil {
		return nil, err
	}
	configPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(configPath, config, 0o644); err != nil {
		return nil, err
	}
	port, err := utils.GetFreePort()
	if err != nil {
		return nil, err
	}
	p := &Prometheus{URL: fmt.Sprintf("http://127.0.0.1:%d", port), dir: dir, args: []string{binary,
		"--config.file=" + configPath,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		fmt.Sprintf("--web.listen-address=127.0.0.1:%d", port),
	}}
	if err := p.start(); err != nil {
		return nil, err
	}
	return p, nil
}

// start runs the process, appending to its log, and waits until it is ready.
func (p *Prometheus) start() error {
	process, err := utils.Start("prometheus", filepath.Join(p.dir, "prometheus.log"), nil, p.args[0], p.args[1:]...)
	if err != nil {
		return err
	}
	p.process = process
	if err := p.waitReady(60 * time.Second); err != nil {
		p.Stop()
		return err
	}
	return nil
}

func (p *Prometheus) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/-/ready", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if !p.Running() {
			return errors.New("prometheus exited: see " + p.process.LogPath)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("prometheus not ready after %s: see %s", timeout, p.process.LogPath)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Running reports whether the process is still up.
func (p *Prometheus) Running() bool { return !p.process.Exited() }

// Stop terminates Prometheus and waits for it.
func (p *Prometheus) Stop() { p.process.Stop() }

// Restart starts Prometheus again on the same port and data directory.
func (p *Prometheus) Restart() error {
	p.Stop()
	return p.start()
}
