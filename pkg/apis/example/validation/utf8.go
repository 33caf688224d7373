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

package validation

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var objectMetaType = reflect.TypeFor[metav1.ObjectMeta]()

// validateUTF8 reports every string in obj, keys and values of maps included, that is not
// valid UTF-8. JSON and YAML decoding replace such bytes, but a protobuf body carries them
// as they are: accepted, they would be stored as sent and read back differently by every
// JSON client.
func validateUTF8(obj any) field.ErrorList {
	return validateUTF8Value(reflect.ValueOf(obj), nil)
}

func validateUTF8Value(v reflect.Value, path *field.Path) field.ErrorList {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return validateUTF8Value(v.Elem(), path)
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			return field.ErrorList{field.Invalid(path, v.String(), "must be valid UTF-8")}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes, such as managedFields' fieldsV1, are not text
		}
		var errs field.ErrorList
		for i := range v.Len() {
			errs = append(errs, validateUTF8Value(v.Index(i), path.Index(i))...)
		}
		return errs
	case reflect.Map:
		var errs field.ErrorList
		for iter := v.MapRange(); iter.Next(); {
			key := iter.Key()
			if key.Kind() == reflect.String && !utf8.ValidString(key.String()) {
				errs = append(errs, field.Invalid(path, key.String(), "keys must be valid UTF-8"))
				continue
			}
			errs = append(errs, validateUTF8Value(iter.Value(), path.Key(key.String()))...)
		}
		return errs
	case reflect.Struct:
		var errs field.ErrorList
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, inline := jsonName(f)
			if name == "-" {
				continue
			}
			child := path
			if !inline {
				child = childPath(path, name)
			}
			errs = append(errs, validateUTF8Value(v.Field(i), child)...)
		}
		return errs
	}
	return nil
}

// jsonName is the field's name on the wire: its json tag, or for the untagged internal types
// the Go name in lower camel case, as every example.com field is named; embedded metadata is
// "metadata", other embedded structs are inlined.
func jsonName(f reflect.StructField) (name string, inline bool) {
	if tag, ok := f.Tag.Lookup("json"); ok {
		name, opts, _ := strings.Cut(tag, ",")
		return name, name == "" && strings.Contains(opts, "inline")
	}
	if f.Anonymous {
		return "metadata", f.Type != objectMetaType
	}
	r, size := utf8.DecodeRuneInString(f.Name)
	return string(unicode.ToLower(r)) + f.Name[size:], false
}

func childPath(path *field.Path, name string) *field.Path {
	if path == nil {
		return field.NewPath(name)
	}
	return path.Child(name)
}
