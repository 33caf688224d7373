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

// Package decodefuzz is the fuzz harness the API groups share: a request body decoded,
// defaulted, converted and validated as the server does, and a valid object round-tripped
// through every encoding the server stores or serves.
package decodefuzz

import (
	"fmt"
	"testing"
	"time"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// slowInput is how long one body may take: a body that takes seconds to decode is a denial
// of service.
const slowInput = 10 * time.Second

// Validate validates an internal object; ok is false for kinds not validated on their own.
type Validate func(t *testing.T, obj runtime.Object) (errs field.ErrorList, ok bool)

// Harness decodes into the internal version of one API group version's scheme.
type Harness struct {
	decoder  runtime.Decoder
	encoders map[string]runtime.Encoder
}

// New returns the harness of the group version that install adds to a scheme.
func New(f *testing.F, install func(*runtime.Scheme), version schema.GroupVersion) *Harness {
	scheme := runtime.NewScheme()
	install(scheme)
	codecs := serializer.NewCodecFactory(scheme)
	protobuf, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), runtime.ContentTypeProtobuf)
	if !ok {
		f.Fatal("no protobuf serializer")
	}
	return &Harness{
		decoder: codecs.UniversalDecoder(), // to the internal version, with defaults applied
		encoders: map[string]runtime.Encoder{
			"protobuf": codecs.EncoderForVersion(protobuf.Serializer, version),
			"JSON":     codecs.LegacyCodec(version),
		},
	}
}

// AddSeeds adds each input to the corpus, and the objects that decode from them in protobuf,
// whole and cut short.
func (h *Harness) AddSeeds(f *testing.F, inputs ...[]byte) {
	for _, input := range inputs {
		f.Add(input)
		if obj, _, err := h.decoder.Decode(input, nil, nil); err == nil {
			if data, err := runtime.Encode(h.encoders["protobuf"], obj); err == nil {
				f.Add(data)
				f.Add(data[:len(data)/2])
			}
		}
	}
}

// Fuzz runs the target: whatever the bytes, no panic and no body slower than slowInput;
// every validation error names a field; and an object that validates survives encoding and
// decoding again unchanged and still valid, so what is stored can always be read back.
func (h *Harness) Fuzz(f *testing.F, validate Validate) {
	f.Fuzz(func(t *testing.T, data []byte) {
		// t.Fatal cannot stop a stuck decoder, so the watchdog panics: the fuzzer then keeps
		// the input as a crasher.
		watchdog := time.AfterFunc(slowInput, func() { panic(fmt.Sprintf("decoding and validating took over %s: %q", slowInput, data)) })
		defer watchdog.Stop()
		obj, _, err := h.decoder.Decode(data, nil, nil)
		if err != nil {
			return
		}
		errs, ok := validate(t, obj)
		if !ok {
			return
		}
		for _, e := range errs {
			if e.Field == "" {
				t.Fatalf("validation error without a field path: %v\ninput: %q", e, data)
			}
		}
		if len(errs) > 0 {
			return
		}
		for format, encoder := range h.encoders {
			encoded, err := runtime.Encode(encoder, obj)
			if err != nil {
				t.Fatalf("a valid %T does not encode as %s: %v\ninput: %q", obj, format, err, data)
			}
			again, _, err := h.decoder.Decode(encoded, nil, nil)
			if err != nil {
				t.Fatalf("a valid %T does not decode again from %s: %v\nencoded: %q", obj, format, err, encoded)
			}
			if !apiequality.Semantic.DeepEqual(obj, again) {
				t.Fatalf("a valid %T changed in a %s round trip:\nbefore: %#v\nafter:  %#v", obj, format, obj, again)
			}
			if errs, _ := validate(t, again); len(errs) > 0 {
				t.Fatalf("valid before a %s round trip, invalid after: %v\nencoded: %q", format, errs, encoded)
			}
		}
	})
}
