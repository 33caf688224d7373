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
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/example-apiserver/test/utils"
)

// templateBenchmark is test/integration's A/B of the job template's validation.
const templateBenchmark = "BenchmarkCronTabCreateJobTemplate"

// maxValidationShare is the goal: validating the template costs at most this share of a
// create's throughput.
const maxValidationShare = 0.10

// templateArms are the arms of templateBenchmark: a create through HTTP, and the store's
// create with and without validation.
var templateArms = []string{"server", "store/validation", "store/no-validation"}

// inprocessCommand runs the in-process A/B of the template validation (make bench-inprocess)
// and prints its goal. A create's CPU grows with what the process and etcd already hold, so
// every arm runs in a process of its own (a fresh server and etcd) and creates as many
// CronTabs as the others: each starts and ends in the same state. The order of the arms
// alternates from round to round, so that no arm always runs after the others.
func inprocessCommand(fs *flag.FlagSet) func() error {
	rounds := fs.Int("rounds", 5, "rounds; each runs every arm once, the order reversed every other round; the medians are compared")
	creates := fs.Int("creates", 3000, "CronTabs each arm creates (timed), the same for every arm")
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
		var measured []map[string]armFigures
		for round := range *rounds {
			order := slices.Clone(templateArms)
			if round%2 == 1 {
				slices.Reverse(order)
			}
			figures := map[string]armFigures{}
			for _, arm := range order {
				f, err := runTemplateArm(bin, filepath.Join(root, "test", "integration"), arm, *creates)
				if err != nil {
					return err
				}
				figures[arm] = f
				fmt.Printf("round %d  %-20s %7.0f µs CPU  %7.0f µs wall per create\n", round+1, arm, f.cpu/1e3, f.wall/1e3)
			}
			measured = append(measured, figures)
		}
		goals := []goal{validationGoal(measured, *creates)}
		printGoals(os.Stdout, "goals of make bench-inprocess", goals)
		return appendJSONLine(*results, struct {
			Date   string `json:"date"`
			Commit string `json:"commit"`
			Goals  []goal `json:"goals"`
		}{time.Now().UTC().Format(time.RFC3339), gitDescribe(root), goals})
	}
}

// benchLine is a result line of go test -bench with the metrics this A/B reads.
var benchLine = regexp.MustCompile(`^` + templateBenchmark + `/\S+?(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) cpu-ns/op`)

// armFigures are the wall and CPU nanoseconds per create of one run of an arm.
type armFigures struct{ wall, cpu float64 }

// runTemplateArm runs arm alone in a fresh test process, creating creates CronTabs.
func runTemplateArm(bin, dir, arm string, creates int) (armFigures, error) {
	// The benchmark pattern matches each level of the name: "store/validation" is two.
	pattern := "^" + templateBenchmark + "$/^" + strings.ReplaceAll(arm, "/", "$/^") + "$"
	var out bytes.Buffer
	run := exec.Command(bin, "-test.run", "^$", "-test.bench", pattern, "-test.benchtime", fmt.Sprintf("%dx", creates), "-test.count", "1")
	run.Dir, run.Stdout, run.Stderr = dir, &out, io.Discard
	if err := run.Run(); err != nil {
		return armFigures{}, fmt.Errorf("%s/%s: %w\n%s", templateBenchmark, arm, err, out.String())
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if m := benchLine.FindStringSubmatch(line); m != nil {
			wall, _ := strconv.ParseFloat(m[1], 64)
			cpu, _ := strconv.ParseFloat(m[2], 64)
			return armFigures{wall: wall, cpu: cpu}, nil
		}
	}
	return armFigures{}, fmt.Errorf("no result of %s/%s in the benchmark's output:\n%s", templateBenchmark, arm, out.String())
}

// spread is the median of v and its range.
type spread struct{ median, min, max float64 }

func spreadOf(v []float64) spread {
	v = slices.Sorted(slices.Values(v))
	m := v[len(v)/2]
	if len(v)%2 == 0 {
		m = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return spread{median: m, min: v[0], max: v[len(v)-1]}
}

// µs formats nanosecond figures as microseconds: the median and the range.
func (s spread) microseconds() string {
	return fmt.Sprintf("%.0f µs (%.0f–%.0f)", s.median/1e3, s.min/1e3, s.max/1e3)
}

// validationGoal: the CPU the validation adds to a create (the store's A/B) as a share of
// the CPU of a whole create through HTTP; creates are CPU-bound at saturation, so that is
// the share of throughput it costs. Each round gives a share from its own three arms; the
// goal is the median of those.
func validationGoal(rounds []map[string]armFigures, creates int) goal {
	var shares, with, without, server, serverWall []float64
	for _, r := range rounds {
		w, wo, s := r["store/validation"], r["store/no-validation"], r["server"]
		shares = append(shares, 100*(w.cpu-wo.cpu)/s.cpu)
		with, without, server, serverWall = append(with, w.cpu), append(without, wo.cpu), append(server, s.cpu), append(serverWall, s.wall)
	}
	share := spreadOf(shares)
	met := share.median <= 100*maxValidationShare
	return goal{
		Goal: fmt.Sprintf("validating a full job template costs ≤ %.0f%% of create throughput (v2 CronTab, in-process A/B)", 100*maxValidationShare),
		Measured: fmt.Sprintf("%.1f%% (median of %d rounds, %.1f%% to %.1f%%): CPU per create in the store %s with validation, %s without; "+
			"a create through HTTP %s CPU, %s wall (8 clients a CPU); each arm a fresh server and etcd creating %d CronTabs, the order reversed every other round",
			share.median, len(rounds), share.min, share.max, spreadOf(with).microseconds(), spreadOf(without).microseconds(), spreadOf(server).microseconds(), spreadOf(serverWall).microseconds(), creates),
		Met: &met,
	}
}
