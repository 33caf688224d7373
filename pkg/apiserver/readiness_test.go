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

package apiserver

import (
	"errors"
	"testing"

	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
)

// caContent is a CA provider whose content the test sets.
type caContent struct {
	dynamiccertificates.CAContentProvider
	bundle []byte
}

func (c caContent) CurrentCABundleContent() []byte { return c.bundle }

func TestRequestHeaderCALoaded(t *testing.T) {
	tests := []struct {
		name   string
		bundle []byte
		ready  bool
	}{
		{name: "ConfigMap not read yet", bundle: nil, ready: false},
		{name: "CA loaded", bundle: []byte("-----BEGIN CERTIFICATE-----\n..."), ready: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := requestHeaderCALoaded(&authenticatorfactory.RequestHeaderConfig{CAContentProvider: caContent{bundle: tc.bundle}})
			if err := check.Check(nil); (err == nil) != tc.ready {
				t.Errorf("check %s: %v, want ready %v", check.Name(), err, tc.ready)
			}
		})
	}
}

type keysErr struct{ err error }

func (k keysErr) Err() error { return k.err }

func TestLoginSigningKeysCurrent(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		ready bool
	}{
		{name: "the file's keys in force", ready: true},
		{name: "the file does not parse", err: errors.New("signing keys /keys.pem: no PEM private key"), ready: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := loginSigningKeysCurrent(keysErr{tc.err})
			if err := check.Check(nil); (err == nil) != tc.ready || err != tc.err {
				t.Errorf("check %s: %v, want ready %v", check.Name(), err, tc.ready)
			}
		})
	}
}
