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

// Package scheme decodes and encodes example-apiserver's configuration files: strictly (an
// unknown or duplicated field is an error), defaulted, and converted to the internal version.
package scheme

import (
	"fmt"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	"sigs.k8s.io/yaml"

	"example.com/example-apiserver/pkg/apis/config"
	"example.com/example-apiserver/pkg/apis/config/v1alpha1"
)

var (
	// Scheme knows the internal and every versioned configuration type.
	Scheme = runtime.NewScheme()
	// Codecs decode strictly: the server never starts on a file it half understood.
	Codecs = serializer.NewCodecFactory(Scheme, serializer.EnableStrict)
)

func init() {
	utilruntime.Must(config.AddToScheme(Scheme))
	utilruntime.Must(v1alpha1.AddToScheme(Scheme))
	utilruntime.Must(Scheme.SetVersionPriority(v1alpha1.SchemeGroupVersion))
}

// DecodeExampleAPIServerConfiguration decodes a --config file's content.
func DecodeExampleAPIServerConfiguration(data []byte) (*config.ExampleAPIServerConfiguration, error) {
	return decode[*config.ExampleAPIServerConfiguration](data, config.Kind("ExampleAPIServerConfiguration"))
}

// DecodeCronTabImagePolicyConfiguration decodes the CronTabImagePolicy plugin's configuration.
func DecodeCronTabImagePolicyConfiguration(data []byte) (*config.CronTabImagePolicyConfiguration, error) {
	return decode[*config.CronTabImagePolicyConfiguration](data, config.Kind("CronTabImagePolicyConfiguration"))
}

// DecodeCronTabNamespaceLimitsConfiguration decodes the CronTabNamespaceLimits plugin's configuration.
func DecodeCronTabNamespaceLimitsConfiguration(data []byte) (*config.CronTabNamespaceLimitsConfiguration, error) {
	return decode[*config.CronTabNamespaceLimitsConfiguration](data, config.Kind("CronTabNamespaceLimitsConfiguration"))
}

// decode decodes a YAML or JSON document of kind want (in any version this scheme knows) into
// its defaulted internal type T. A missing or unsupported apiVersion or kind is an error that
// names the supported ones; an unknown or duplicated field is an error that names the field.
func decode[T runtime.Object](data []byte, want schema.GroupKind) (T, error) {
	var none T
	// Look at apiVersion and kind first, so that a wrong one is named with the right ones
	// rather than reported as "no kind is registered".
	var typeMeta metav1.TypeMeta
	if err := yaml.Unmarshal(data, &typeMeta); err != nil {
		return none, err
	}
	gvk := typeMeta.GroupVersionKind()
	if typeMeta.APIVersion == "" || typeMeta.Kind == "" || gvk.GroupKind() != want ||
		gvk.Version == runtime.APIVersionInternal || !Scheme.Recognizes(gvk) {
		return none, fmt.Errorf("apiVersion %q, kind %q is not supported: want %s", typeMeta.APIVersion, typeMeta.Kind, supported(want))
	}
	obj, _, err := Codecs.UniversalDecoder().Decode(data, nil, nil)
	if err != nil {
		return none, err
	}
	typed, ok := obj.(T)
	if !ok {
		return none, fmt.Errorf("decoded %T, want %T", obj, none)
	}
	return typed, nil
}

// supported lists the apiVersions that serve kind, e.g. "apiVersion config.example.com/v1alpha1,
// kind ExampleAPIServerConfiguration".
func supported(kind schema.GroupKind) string {
	var versions []string
	for _, gv := range Scheme.PrioritizedVersionsForGroup(kind.Group) {
		if Scheme.Recognizes(gv.WithKind(kind.Kind)) {
			versions = append(versions, gv.String())
		}
	}
	return fmt.Sprintf("apiVersion %s, kind %s", strings.Join(versions, " or "), kind.Kind)
}

// EncodeYAML encodes an internal configuration object as YAML in version gv.
func EncodeYAML(obj runtime.Object, gv schema.GroupVersion) ([]byte, error) {
	info, ok := runtime.SerializerInfoForMediaType(Codecs.SupportedMediaTypes(), runtime.ContentTypeYAML)
	if !ok {
		return nil, fmt.Errorf("no serializer for %s", runtime.ContentTypeYAML)
	}
	return runtime.Encode(Codecs.EncoderForVersion(info.Serializer, gv), obj)
}
