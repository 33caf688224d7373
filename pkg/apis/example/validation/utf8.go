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
	"sync"
	"unicode"
	"unicode/utf8"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var objectMetaType = reflect.TypeFor[metav1.ObjectMeta]()

// validateUTF8 reports every string in obj, keys and values of maps included, that is not
// valid UTF-8. JSON and YAML decoding replace such bytes, but a protobuf body carries them
// as they are: accepted, they would be stored as sent and read back differently by every
// JSON client. It runs on every write, so paths are only built for the errors.
func validateUTF8(obj any) field.ErrorList {
	var w utf8Walker
	w.walk(reflect.ValueOf(obj))
	return w.errs
}

// utf8Walker walks a value and keeps the path to where it is as segments, turned into a
// field.Path only when something is reported.
type utf8Walker struct {
	path []pathSegment
	errs field.ErrorList
}

// pathSegment is a field name, a map key (isKey) or, when name is empty, a list index.
type pathSegment struct {
	name  string
	isKey bool
	index int
}

func (w *utf8Walker) fieldPath() *field.Path {
	var path *field.Path
	for _, seg := range w.path {
		switch {
		case seg.isKey:
			path = path.Key(seg.name)
		case seg.name == "":
			path = path.Index(seg.index)
		case path == nil:
			path = field.NewPath(seg.name)
		default:
			path = path.Child(seg.name)
		}
	}
	return path
}

func (w *utf8Walker) report(value, detail string) {
	w.errs = append(w.errs, field.Invalid(w.fieldPath(), value, detail))
}

// under walks v one segment deeper.
func (w *utf8Walker) under(seg pathSegment, v reflect.Value) {
	w.path = append(w.path, seg)
	w.walk(v)
	w.path = w.path[:len(w.path)-1]
}

func (w *utf8Walker) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			w.walk(v.Elem())
		}
	case reflect.String:
		if !utf8.ValidString(v.String()) {
			w.report(v.String(), "must be valid UTF-8")
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, such as managedFields' fieldsV1, are not text
		}
		for i := range v.Len() {
			w.under(pathSegment{index: i}, v.Index(i))
		}
	case reflect.Map:
		for iter := v.MapRange(); iter.Next(); {
			key := iter.Key()
			if key.Kind() == reflect.String && !utf8.ValidString(key.String()) {
				w.report(key.String(), "keys must be valid UTF-8")
				continue
			}
			w.under(pathSegment{name: key.String(), isKey: true}, iter.Value())
		}
	case reflect.Struct:
		for _, f := range textFields(v.Type()) {
			if f.inline {
				w.walk(v.Field(f.index))
			} else {
				w.under(pathSegment{name: f.name}, v.Field(f.index))
			}
		}
	}
}

// textField is a field of a struct that the walk visits: exported, on the wire, and of a type
// that can hold text.
type textField struct {
	index  int
	name   string
	inline bool
}

// textFieldsByType caches textFields, so that a type's struct tags are read once, not on
// every write.
var textFieldsByType sync.Map // reflect.Type -> []textField

// textFields are the fields of struct type t that the walk visits.
func textFields(t reflect.Type) []textField {
	if cached, ok := textFieldsByType.Load(t); ok {
		return cached.([]textField)
	}
	var fields []textField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || !canHoldText(f.Type, map[reflect.Type]bool{}) {
			continue
		}
		if name, inline := jsonName(f); name != "-" {
			fields = append(fields, textField{index: i, name: name, inline: inline})
		}
	}
	textFieldsByType.Store(t, fields)
	return fields
}

// canHoldText says whether a value of type t can hold a string the walk checks. A type met
// again within its own definition (visiting) is assumed to, which can only make the walk
// visit more, never skip a string.
func canHoldText(t reflect.Type, visiting map[reflect.Type]bool) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer:
		return canHoldText(t.Elem(), visiting)
	case reflect.Slice, reflect.Array:
		return t.Elem().Kind() != reflect.Uint8 && canHoldText(t.Elem(), visiting)
	case reflect.Map:
		return t.Key().Kind() == reflect.String || canHoldText(t.Elem(), visiting)
	case reflect.Struct:
		if visiting[t] {
			return true
		}
		visiting[t] = true
		defer delete(visiting, t)
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && canHoldText(f.Type, visiting) {
				return true
			}
		}
	}
	return false
}

// jsonName is the field's name on the wire: its json tag, or for the untagged internal types
// the Go name in lower camel case, as every example.com field is named; embedded metadata is
// "metadata", other embedded structs are inlined. A tag without a name inlines an embedded
// struct, as encoding/json does (core/v1's Probe embeds its ProbeHandler so), and names any
// other field by its Go name.
func jsonName(f reflect.StructField) (name string, inline bool) {
	if tag, ok := f.Tag.Lookup("json"); ok {
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case name != "":
			return name, false
		case f.Anonymous || strings.Contains(opts, "inline"):
			return "", true
		default:
			return f.Name, false
		}
	}
	if f.Anonymous {
		return "metadata", f.Type != objectMetaType
	}
	r, size := utf8.DecodeRuneInString(f.Name)
	return string(unicode.ToLower(r)) + f.Name[size:], false
}
