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

// Package querytemplate is the contract of an external metric's PromQL query template: the
// config validation refuses what the Prometheus source could not render, with the same parse.
package querytemplate

import (
	"fmt"
	"io"
	"strings"
	"text/template"
)

// Data is what a query template can use.
type Data struct {
	// Namespace is the namespace of the metric request.
	Namespace string
	// LabelMatchers are the PromQL matchers of the namespace and the request's selector,
	// comma-separated.
	LabelMatchers string
}

// Parse parses a query template and renders it once with sample data: a template that cannot
// render is a configuration error, not a failure of every request later.
func Parse(query string) (*template.Template, error) {
	if strings.TrimSpace(query) == "" {
		return nil, fmt.Errorf("empty query")
	}
	tmpl, err := template.New("query").Option("missingkey=error").Parse(query)
	if err != nil {
		return nil, fmt.Errorf("query template: %w", err)
	}
	if err := tmpl.Execute(io.Discard, Data{Namespace: "default", LabelMatchers: `namespace="default"`}); err != nil {
		return nil, fmt.Errorf("query template: %w", err)
	}
	return tmpl, nil
}
