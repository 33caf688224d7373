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

package externalmetrics

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"time"

	promapi "github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/selection"
	clienttransport "k8s.io/client-go/transport"

	"example.com/example-apiserver/pkg/querytemplate"
)

// PrometheusOptions configure a metric computed by a PromQL query.
type PrometheusOptions struct {
	// URL is the Prometheus server, e.g. http://prometheus.monitoring.svc:9090.
	URL string
	// Query is a text/template of PromQL. {{.LabelMatchers}} expands to the matchers of the
	// namespace and of the HPA's metric selector, comma-separated, e.g.
	// `sum(http_requests{ {{- .LabelMatchers -}} })`; {{.Namespace}} is the namespace alone.
	Query string
	// NamespaceLabel is the series label that holds the namespace; empty leaves the namespace
	// out of {{.LabelMatchers}}.
	NamespaceLabel string
	// Timeout bounds each query.
	Timeout time.Duration
	// BearerTokenFile, when set, holds a bearer token to send: client-go's cached file token
	// source re-reads it every minute, and at once after Prometheus answers 401.
	BearerTokenFile string
	// CAFile verifies the server's certificate; InsecureSkipVerify skips verification.
	CAFile             string
	InsecureSkipVerify bool
}

type prometheusSource struct {
	api     promv1.API
	query   *template.Template
	opts    PrometheusOptions
	timeNow func() time.Time
}

// NewPrometheusSource returns a source that evaluates opts.Query against Prometheus.
func NewPrometheusSource(opts PrometheusOptions) (Source, error) {
	query, err := querytemplate.Parse(opts.Query)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{InsecureSkipVerify: opts.InsecureSkipVerify} //nolint:gosec // an explicit, documented option
	if opts.CAFile != "" {
		pem, err := os.ReadFile(opts.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificates in %s", opts.CAFile)
		}
		transport.TLSClientConfig.RootCAs = pool
	}
	var rt http.RoundTripper = transport
	if opts.BearerTokenFile != "" {
		rt = clienttransport.ResettableTokenSourceWrapTransport(clienttransport.NewCachedFileTokenSource(opts.BearerTokenFile))(transport)
	}
	client, err := promapi.NewClient(promapi.Config{Address: opts.URL, RoundTripper: rt})
	if err != nil {
		return nil, fmt.Errorf("prometheus client: %w", err)
	}
	return &prometheusSource{api: promv1.NewAPI(client), query: query, opts: opts, timeNow: time.Now}, nil
}

// RenderQuery expands the query template for a namespace and selector.
func (s *prometheusSource) RenderQuery(namespace string, selector labels.Selector) (string, error) {
	matchers, err := LabelMatchers(selector)
	if err != nil {
		return "", err
	}
	if s.opts.NamespaceLabel != "" {
		matchers = append([]string{fmt.Sprintf("%s=%s", s.opts.NamespaceLabel, strconv.Quote(namespace))}, matchers...)
	}
	var out bytes.Buffer
	if err := s.query.Execute(&out, querytemplate.Data{Namespace: namespace, LabelMatchers: strings.Join(matchers, ",")}); err != nil {
		return "", fmt.Errorf("rendering the query template: %w", err)
	}
	return out.String(), nil
}

func (s *prometheusSource) Query(ctx context.Context, namespace string, selector labels.Selector) ([]Sample, error) {
	query, err := s.RenderQuery(namespace, selector)
	if err != nil {
		return nil, err
	}
	if s.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.Timeout)
		defer cancel()
	}
	value, _, err := s.api.Query(ctx, query, s.timeNow())
	if err != nil {
		return nil, fmt.Errorf("prometheus query %q: %w", query, err)
	}
	switch v := value.(type) {
	case *model.Scalar:
		return []Sample{{Value: float64(v.Value)}}, nil
	case model.Vector:
		samples := make([]Sample, 0, len(v))
		for _, sample := range v {
			lbls := map[string]string{}
			for name, value := range sample.Metric {
				if name != model.MetricNameLabel {
					lbls[string(name)] = string(value)
				}
			}
			samples = append(samples, Sample{Labels: lbls, Value: float64(sample.Value)})
		}
		return samples, nil
	default:
		return nil, fmt.Errorf("prometheus query %q returned a %s; want a scalar or an instant vector", query, value.Type())
	}
}

// promLabelName is what Prometheus allows as a label name.
var promLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// LabelMatchers turns a Kubernetes label selector into PromQL label matchers; a selector that
// PromQL cannot express is a 400 naming the requirement.
func LabelMatchers(selector labels.Selector) ([]string, error) {
	reqs, _ := selector.Requirements()
	matchers := make([]string, 0, len(reqs))
	for _, req := range reqs {
		key := req.Key()
		if !promLabelName.MatchString(key) {
			return nil, apierrors.NewBadRequest(fmt.Sprintf("label selector %q: %q is not a Prometheus label name", selector, key))
		}
		values := req.Values().List() // sorted, so the query (and its cache key) is stable
		switch req.Operator() {
		case selection.Equals, selection.DoubleEquals:
			matchers = append(matchers, key+"="+strconv.Quote(values[0]))
		case selection.NotEquals:
			matchers = append(matchers, key+"!="+strconv.Quote(values[0]))
		case selection.In:
			matchers = append(matchers, key+"=~"+strconv.Quote(alternation(values)))
		case selection.NotIn:
			matchers = append(matchers, key+"!~"+strconv.Quote(alternation(values)))
		case selection.Exists:
			matchers = append(matchers, key+`!=""`)
		case selection.DoesNotExist:
			matchers = append(matchers, key+`=""`)
		default:
			return nil, apierrors.NewBadRequest(fmt.Sprintf("label selector %q: operator %q has no PromQL equivalent", selector, req.Operator()))
		}
	}
	return matchers, nil
}

func alternation(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return strings.Join(quoted, "|")
}
