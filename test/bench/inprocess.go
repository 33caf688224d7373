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
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"time"

	"example.com/example-apiserver/test/utils"
)

// templateBenchmark is test/integration's A/B of the job template's validation.
const templateBenchmark = "BenchmarkCronTabCreateJobTemplate"

// maxValidationShare is the goal: validating the template costs at most this share of a
// create's throughput.
const maxValidationShare = 0.10

// inprocessCommand runs the in-process A/B of the template validation (make bench-inprocess)
// and prints its goal.
func inprocessCommand(fs *flag.FlagSet) func() error {
	count := fs.Int("count", 5, "runs of each arm, interleaved; the medians are compared")
	benchtime := fs.String("benchtime", "2s", "go test -benchtime of each run")
	results := fs.String("results", "", "JSON lines file the run is appended to (default _output/bench/inprocess-results.jsonl)")
	return func() error {
		root, err := utils.RepoRoot()
		if err != nil {
			return err
		}
		if *results == "" {
			*results = filepath.Join(root, "_output", "bench", "inprocess-results.jsonl")
		}
		// A compiled test binary keeps the server's log (stderr) apart from the results (stdout).
		bin := filepath.Join(root, "_output", "bench", "integration.test")
		build := exec.Command("go", "test", "-c", "-o", bin, "./test/integration")
		build.Dir, build.Stdout, build.Stderr = root, os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building the integration tests: %w", err)
		}
		var out bytes.Buffer
		run := exec.Command(bin, "-test.run", "^$", "-test.bench", "^"+templateBenchmark+"$",
			"-test.benchtime", *benchtime, "-test.count", strconv.Itoa(*count))
		run.Dir, run.Stdout, run.Stderr = filepath.Join(root, "test", "integration"), io.MultiWriter(os.Stdout, &out), io.Discard
		if err := run.Run(); err != nil {
			return fmt.Errorf("%s: %w", templateBenchmark, err)
		}
		arms, err := parseBenchmarks(&out)
		if err != nil {
			return err
		}
		goals := []goal{validationGoal(arms)}
		printGoals(os.Stdout, "goals of make bench-inprocess", goals)
		return appendJSONLine(*results, struct {
			Date   string `json:"date"`
			Commit string `json:"commit"`
			Goals  []goal `json:"goals"`
		}{time.Now().UTC().Format(time.RFC3339), gitDescribe(root), goals})
	}
}

// benchLine is a result line of go test -bench with the metrics this A/B reads.
var benchLine = regexp.MustCompile(`^` + templateBenchmark + `/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) cpu-ns/op`)

// armFigures are the median wall and CPU nanoseconds per create of one arm.
type armFigures struct{ wall, cpu float64 }

func parseBenchmarks(r io.Reader) (map[string]armFigures, error) {
	wall, cpu := map[string][]float64{}, map[string][]float64{}
	scanner := bufio.NewScanner(r)
	for scanner.Scan() {
		m := benchLine.FindStringSubmatch(scanner.Text())
		if m == nil {
			continue
		}
		w, _ := strconv.ParseFloat(m[2], 64)
		c, _ := strconv.ParseFloat(m[3], 64)
		wall[m[1]], cpu[m[1]] = append(wall[m[1]], w), append(cpu[m[1]], c)
	}
	arms := map[string]armFigures{}
	for _, arm := range []string{"server", "store/validation", "store/no-validation"} {
		if len(cpu[arm]) == 0 {
			return nil, fmt.Errorf("no result of %s/%s in the benchmark's output", templateBenchmark, arm)
		}
		arms[arm] = armFigures{wall: medianOf(wall[arm]), cpu: medianOf(cpu[arm])}
	}
	return arms, nil
}

func medianOf(v []float64) float64 {
	sort.Float64s(v)
	return v[len(v)/2]
}

// validationGoal: the CPU the validation adds to a create (the store's A/B) as a share of
// the CPU of a whole create through HTTP; creates are CPU-bound at saturation, so that is
// the share of throughput it costs.
func validationGoal(arms map[string]armFigures) goal {
	with, without, server := arms["store/validation"], arms["store/no-validation"], arms["server"]
	share := (with.cpu - without.cpu) / server.cpu
	met := share <= maxValidationShare
	return goal{
		Goal: fmt.Sprintf("validating a full job template costs ≤ %.0f%% of create throughput (v2 CronTab, in-process A/B)", 100*maxValidationShare),
		Measured: fmt.Sprintf("%.1f%%: %.0f µs CPU per create with validation, %.0f µs without, in the store; a create through HTTP %.0f µs CPU, %.0f µs wall (8 clients a CPU)",
			100*share, with.cpu/1e3, without.cpu/1e3, server.cpu/1e3, server.wall/1e3),
		Met: &met,
	}
}
