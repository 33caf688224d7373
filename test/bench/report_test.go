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

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrintSeparateGoalsShowsEachLatestRun(t *testing.T) {
	dir := t.TempDir()
	memory := `{"date":"2026-11-29T10:00:00Z","commit":"aaa","goals":[{"goal":"memory comes back","measured":"300 MiB","met":false}]}
{"date":"2026-11-30T10:00:00Z","commit":"bbb","goals":[{"goal":"memory comes back","measured":"90 MiB","met":true},{"goal":"heap per object","measured":"not measured: -objects 0","met":null}]}
`
	if err := os.WriteFile(filepath.Join(dir, "memory-results.jsonl"), []byte(memory), 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	printSeparateGoals(&out, dir)
	got := out.String()
	for _, want := range []string{
		"goals of make bench-memory, from its latest run here (2026-11-30T10:00:00Z, commit bbb)",
		"MET   memory comes back: 90 MiB",
		"n/a   heap per object: not measured: -objects 0",
		"goals of make bench-scale: no run here yet",
		"goals of make bench-controller: no run here yet",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "300 MiB") {
		t.Errorf("report shows an earlier run:\n%s", got)
	}
}
