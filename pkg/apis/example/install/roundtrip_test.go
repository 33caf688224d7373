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

package install

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/google/go-cmp/cmp"

	apitestingfuzzer "k8s.io/apimachinery/pkg/api/apitesting/fuzzer"
	"k8s.io/apimachinery/pkg/api/apitesting/roundtrip"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metafuzzer "k8s.io/apimachinery/pkg/apis/meta/fuzzer"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	runtimeserializer "k8s.io/apimachinery/pkg/runtime/serializer"

	"example.com/example-apiserver/pkg/apis/example"
	"example.com/example-apiserver/pkg/apis/example/fuzzer"
	v1 "example.com/example-apiserver/pkg/apis/example/v1"
	v2 "example.com/example-apiserver/pkg/apis/example/v2"
)

// TestRoundTripTypes fuzzes every internal example.com type and checks that it survives
// internal -> v1 and v2 -> JSON/YAML/protobuf -> v1 and v2 -> internal unchanged: the v2 job
// template goes through v1 in example.JobTemplateAnnotation.
func TestRoundTripTypes(t *testing.T) {
	roundtrip.RoundTripProtobufTestForAPIGroup(t, Install, fuzzer.Funcs)
}

// TestRoundTripExternalTypes fuzzes every v1 and v2 type and checks that it survives JSON, YAML and
// protobuf unchanged.
func TestRoundTripExternalTypes(t *testing.T) {
	scheme := runtime.NewScheme()
	Install(scheme)
	codecs := runtimeserializer.NewCodecFactory(scheme)
	f := apitestingfuzzer.FuzzerFor(
		apitestingfuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, fuzzer.Funcs),
		rand.NewSource(rand.Int63()),
		codecs,
	)
	roundtrip.RoundTripExternalTypes(t, scheme, codecs, f, nil)
}

// TestRoundTripThroughInternal fuzzes v1 and v2 CronTabs as a client could send them (decoded,
// so defaulted) and checks that each survives conversion to internal, to either version and
// its JSON or protobuf, and back unchanged: a v2 object read and written back through v1 (or
// stored as v1) keeps every field, and the other way round.
func TestRoundTripThroughInternal(t *testing.T) {
	scheme := runtime.NewScheme()
	Install(scheme)
	codecs := runtimeserializer.NewCodecFactory(scheme)
	f := apitestingfuzzer.FuzzerFor(
		apitestingfuzzer.MergeFuzzerFuncs(metafuzzer.Funcs, fuzzer.Funcs),
		rand.NewSource(rand.Int63()),
		codecs,
	)
	versions := []schema.GroupVersion{v1.SchemeGroupVersion, v2.SchemeGroupVersion}
	mediaTypes := []string{runtime.ContentTypeJSON, runtime.ContentTypeProtobuf}
	for _, from := range versions {
		for _, through := range versions {
			for _, mediaType := range mediaTypes {
				t.Run(fmt.Sprintf("%s via %s %s", from.Version, through.Version, mediaType), func(t *testing.T) {
					info, ok := runtime.SerializerInfoForMediaType(codecs.SupportedMediaTypes(), mediaType)
					if !ok {
						t.Fatalf("no serializer for %s", mediaType)
					}
					wire := codecs.CodecForVersions(info.Serializer, codecs.UniversalDecoder(example.SchemeGroupVersion), through, nil)
					for range 200 {
						original, err := scheme.New(from.WithKind("CronTab"))
						if err != nil {
							t.Fatal(err)
						}
						f.Fill(original)
						scheme.Default(original)

						internal := &example.CronTab{}
						if err := scheme.Convert(original, internal, nil); err != nil {
							t.Fatalf("%s to internal: %v", from, err)
						}
						data, err := runtime.Encode(wire, internal)
						if err != nil {
							t.Fatalf("encoding as %s: %v", through, err)
						}
						decoded, err := runtime.Decode(wire, data)
						if err != nil {
							t.Fatalf("decoding %s: %v\n%s", through, err, data)
						}
						back, _ := scheme.New(from.WithKind("CronTab"))
						if err := scheme.Convert(decoded, back, nil); err != nil {
							t.Fatalf("internal to %s: %v", from, err)
						}
						back.GetObjectKind().SetGroupVersionKind(original.GetObjectKind().GroupVersionKind())
						if !apiequality.Semantic.DeepEqual(original, back) {
							t.Fatalf("%s CronTab changed through %s %s:\n%s", from.Version, through.Version, mediaType, cmp.Diff(original, back))
						}
					}
				})
			}
		}
	}
}
