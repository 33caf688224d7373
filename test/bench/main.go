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

// Command bench measures example-apiserver against the CronTab CRD on the local
// stack (hack/local-up.sh), side by side in one run: the same workload through the same
// clients against CronTabs via the aggregator, CronTabs on example-apiserver's own port,
// the CRD on kube-apiserver, and raw etcd. `make bench` runs it; docs/benchmarks.md says
// how to read it. `bench controller` (make bench-controller) measures example-controller-manager
// against kube-controller-manager's CronJob controller instead (controller.go), `bench memory`
// the memory goals (memory.go), `bench scale` both servers holding 100,000 objects
// (scale.go) and `bench inprocess` the cost of validating a job template (inprocess.go).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"example.com/example-apiserver/test/utils"
)

var (
	cronTabs = schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "crontabs"}
	crd      = schema.GroupVersionResource{Group: "stable.example.com", Version: "v1", Resource: "crontabs"}
)

type options struct {
	n, c, size, rounds int
	metricsGets        int
	// metricsRate GETs a second of the metric for metricsRateFor, open loop, after the
	// saturating GETs of each metrics run.
	metricsRate      float64
	metricsRateFor   time.Duration
	targets, clients []string
	sampleAPIServer  string
	stackDir         string
	results          string
	profileDir       string
	keep             bool
	// tableList is how many CronTabs the table LIST measurement lists; 0 skips it.
	tableList int
}

// commands are the benchmarks by their first argument; without one, the servers' benchmark.
var commands = map[string]func(fs *flag.FlagSet) (run func() error){
	"":           serversCommand,
	"controller": controllerCommand,
	"inprocess":  inprocessCommand,
	"memory":     memoryCommand,
	"scale":      scaleCommand,
}

func main() {
	name, args := "", os.Args[1:]
	if len(args) > 0 && commands[args[0]] != nil {
		name, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet(strings.TrimSpace("bench "+name), flag.ExitOnError)
	run := commands[name](fs)
	_ = fs.Parse(args)
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", fs.Name(), err)
		os.Exit(1)
	}
}

// serversCommand is the default benchmark: example-apiserver against the CRD and etcd.
func serversCommand(fs *flag.FlagSet) func() error {
	o := &options{}
	var targets, clients string
	fs.IntVar(&o.n, "n", 2000, "objects per run")
	fs.IntVar(&o.c, "c", 16, "concurrent workers")
	fs.IntVar(&o.size, "size", 0, "bytes of padding (an annotation) added to each object")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds; each runs every target once, interleaved, and the medians are reported")
	fs.StringVar(&targets, "targets", "aggregated,direct,crd,etcd", "targets, in the order each round runs them")
	fs.StringVar(&clients, "clients", "dynamic,typed,metrics", "clients: dynamic (client-go dynamic, JSON), typed (generated clientset), metrics (external metrics client: GETs of the crontabs metric; aggregated and direct only)")
	fs.IntVar(&o.metricsGets, "metrics-gets", 10000, "metric GETs per metrics run (by -c workers)")
	fs.Float64Var(&o.metricsRate, "metrics-rate", 500, "then metric GETs a second at a fixed schedule (open loop, latency from the scheduled time); 0 skips them")
	fs.DurationVar(&o.metricsRateFor, "metrics-rate-for", 10*time.Second, "how long each metrics run GETs at -metrics-rate")
	fs.StringVar(&o.sampleAPIServer, "sample-apiserver", "", "sample-apiserver binary for the memory baseline, run before the rounds; \"none\" skips it (default _output/bin/sample-apiserver, built by make bench)")
	fs.StringVar(&o.stackDir, "stack-dir", os.Getenv("LOCAL_UP_DIR"), "the local stack's directory: reused if it runs, else brought up there and taken down at the end (default _output/bench/stack)")
	fs.StringVar(&o.results, "results", "", "JSON lines file the run is appended to (default _output/bench/results.jsonl)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "if set, afterwards take 10s CPU profiles of example-apiserver and kube-apiserver under each target's load into this directory")
	fs.BoolVar(&o.keep, "keep", false, "leave a stack the benchmark brought up running")
	fs.IntVar(&o.tableList, "table-list", 20000, "after the rounds, CronTabs (in four time zones) to LIST as a Table, as kubectl get does, against a JSON LIST of them; 0 skips it")
	return func() error {
		o.targets, o.clients = strings.Split(targets, ","), strings.Split(clients, ",")
		return benchmark(*o)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[bench %s] %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func benchmark(o options) (err error) {
	root, err := utils.RepoRoot()
	if err != nil {
		return err
	}
	if o.stackDir == "" {
		o.stackDir = filepath.Join(root, "_output", "bench", "stack")
	}
	if o.results == "" {
		o.results = filepath.Join(root, "_output", "bench", "results.jsonl")
	}
	if o.size > 0 {
		pad = strings.Repeat("x", o.size)
	}
	s, err := openStack(root, o.stackDir, withoutController)
	if err != nil {
		return err
	}
	clients, err := s.connect(root)
	defer s.release(clients, o.keep, &err)
	if err != nil {
		return err
	}
	ctx := context.Background()
	kubeConfig, directConfig, kube, etcdClient := clients.kubeConfig, clients.directConfig, clients.kube, clients.etcd
	storedBytes, err := sampleStoredBytes(ctx, kube, directConfig, etcdClient)
	if err != nil {
		return err
	}
	logf("example-apiserver stores a CronTab as %d bytes; the etcd target puts and gets those", len(storedBytes))

	// The memory baseline first, while example-apiserver is as fresh as sample-apiserver.
	var baseline *rssBaseline
	if o.sampleAPIServer == "" {
		o.sampleAPIServer = filepath.Join(root, "_output", "bin", sampleName)
	}
	if _, statErr := os.Stat(o.sampleAPIServer); o.sampleAPIServer == "none" || statErr != nil {
		logf("no memory baseline: %s not run (hack/build-tools.sh %s builds it)", sampleName, sampleName)
	} else if baseline, err = measureBaseline(ctx, o, s, kube, directConfig, etcdClient, storedBytes); err != nil {
		return fmt.Errorf("memory baseline: %w", err)
	}

	var plan []cell
	for _, client := range o.clients {
		for _, name := range o.targets {
			t, err := newTarget(name, client, kubeConfig, directConfig, etcdClient, storedBytes)
			if err != nil {
				return err
			}
			if t != nil {
				plan = append(plan, t)
			}
		}
	}

	rep := report{
		Date: time.Now().UTC().Format(time.RFC3339), Commit: gitDescribe(root), CPUs: runtime.NumCPU(),
		N: o.n, C: o.c, Size: o.size, Rounds: o.rounds, MetricsGets: o.metricsGets, Baseline: baseline,
	}
	if s.ours {
		rep.ExampleFlags = os.Getenv("EXAMPLE_APISERVER_EXTRA_FLAGS")
	}
	// A short unrecorded pass first: connections, caches and the servers' lazily built paths
	// would otherwise count against whichever target comes first.
	logf("warming up every target")
	for _, t := range plan {
		warmup := o
		warmup.n, warmup.metricsGets, warmup.metricsRateFor = min(o.n, 200), min(o.metricsGets, 500), time.Second
		if _, err := runInNamespace(ctx, kube, t, s, "warmup", warmup); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	rep.LoadBefore = loadAverage()
	logf("load average before: %v on %d CPUs; %d rounds of %d targets, N=%d, C=%d", rep.LoadBefore, rep.CPUs, o.rounds, len(plan), o.n, o.c)
	start, busyBefore, stackBefore := time.Now(), machineBusySeconds(), s.stackCPUSeconds()
	for round := 1; round <= o.rounds; round++ {
		for _, t := range plan {
			r, err := runInNamespace(ctx, kube, t, s, fmt.Sprintf("r%d", round), o)
			if err != nil {
				return fmt.Errorf("round %d: %w", round, err)
			}
			if r.Client == "metrics" {
				logf("round %d %-10s %-7s metric GET %6.0f/s p50 %5.1fms p99 %5.1fms", round, r.Target, r.Client, r.Get.PerSec, r.Get.P50ms, r.Get.P99ms)
			} else {
				logf("round %d %-10s %-7s create %6.0f/s get %6.0f/s update %6.0f/s delete %6.0f/s list %6.1fms watch p50 %5.1fms",
					round, r.Target, r.Client, r.Create.PerSec, r.Get.PerSec, r.Update.PerSec, r.Delete.PerSec, r.ListMs, r.Watch.P50ms)
			}
			rep.Runs = append(rep.Runs, r)
		}
	}
	rep.LoadAfter = loadAverage()
	rep.WallSeconds = time.Since(start).Seconds()
	if o.tableList > 0 {
		logf("table LIST: creating %d CronTabs", o.tableList)
		tl, err := measureTableList(ctx, kube, directConfig, s, o.tableList, o.c)
		if err != nil {
			return fmt.Errorf("table LIST: %w", err)
		}
		rep.TableList = &tl
		logf("table LIST of %d: %.0f ms (server CPU %.0f ms); JSON LIST %.0f ms (server CPU %.0f ms)", tl.Objects, tl.TableMs, tl.TableCPUMs, tl.ListMs, tl.ListCPUMs)
	}
	// What other processes took from the 2 cores while the rounds ran: the figures are only
	// comparable between runs where this is small.
	rep.ForeignCPUSeconds = max(0, (machineBusySeconds()-busyBefore)-(s.stackCPUSeconds()-stackBefore))
	rep.Processes = s.snapshot()
	rep.summarize()
	rep.print(os.Stdout)
	printSeparateGoals(os.Stdout, filepath.Join(root, "_output", "bench"))
	if err := rep.append(o.results); err != nil {
		return err
	}
	logf("appended to %s", o.results)

	if o.profileDir != "" {
		return profile(ctx, o, s, kube, plan, kubeConfig, directConfig)
	}
	return nil
}

// benchClients are what a benchmark talks to: kube-apiserver as admin, example-apiserver on its
// own port, and etcd.
type benchClients struct {
	kubeConfig, directConfig *rest.Config
	kube                     kubernetes.Interface
	etcd                     *clientv3.Client
}

// connect builds the benchmark's clients and applies the CRD the CronTabs are compared with.
func (s *stack) connect(root string) (*benchClients, error) {
	kubeConfig, directConfig, err := s.clientConfigs()
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfig(kubeConfig)
	if err != nil {
		return nil, err
	}
	if err := applyCRD(root, s); err != nil {
		return nil, err
	}
	etcdClient, err := clientv3.New(clientv3.Config{Endpoints: []string{s.env["ETCD_SERVERS"]}, DialTimeout: 10 * time.Second})
	if err != nil {
		return nil, err
	}
	return &benchClients{kubeConfig: kubeConfig, directConfig: directConfig, kube: kube, etcd: etcdClient}, nil
}

// release closes the clients (nil when connect failed) and, unless keep, takes the stack
// down; deferred right after connect, it joins its error into *err.
func (s *stack) release(clients *benchClients, keep bool, err *error) {
	if clients != nil {
		clients.etcd.Close()
	}
	if !keep {
		*err = errors.Join(*err, s.down())
	}
}

// clientConfigs are the stack's admin client of kube-apiserver and the one of
// example-apiserver's own port, unthrottled, for the benchmark's clients.
func (s *stack) clientConfigs() (kubeConfig, directConfig *rest.Config, err error) {
	kubeConfig, err = clientcmd.BuildConfigFromFlags("", s.path("kubeconfig"))
	if err != nil {
		return nil, nil, err
	}
	directConfig = &rest.Config{
		Host: s.env["EXAMPLE_APISERVER_URL"],
		// The admin certificate is signed by the cluster CA, which example-apiserver trusts
		// for client certificates (client-ca-file of extension-apiserver-authentication).
		TLSClientConfig: rest.TLSClientConfig{
			CAFile:   s.path("pki", "example-serving-ca.crt"),
			CertFile: s.path("pki", "admin.crt"),
			KeyFile:  s.path("pki", "admin.key"),
		},
	}
	for _, c := range []*rest.Config{kubeConfig, directConfig} {
		c.QPS, c.Burst = -1, -1 // no client-side throttling: the servers are measured
		// example-apiserver warns that the example's image has no tag; printing thousands of
		// warnings would cost the client CPU the servers need.
		c.WarningHandler = rest.NoWarnings{}
		c.Timeout = 60 * time.Second
		c.UserAgent = "example-apiserver-bench"
	}
	return kubeConfig, directConfig, nil
}

// runInNamespace runs the workload of t in a fresh namespace, deleted afterwards: o.n
// objects by o.c workers, and for a metrics target o.metricsGets metric GETs, then the
// open-loop ones.
func runInNamespace(ctx context.Context, kube kubernetes.Interface, t cell, s *stack, tag string, o options) (run, error) {
	ns := fmt.Sprintf("bench-%d-%s-%s-%s", time.Now().Unix()%100000, tag, t.Name(), t.Client())
	if t.Name() != "etcd" {
		if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
			return run{}, err
		}
		defer func() { _ = kube.CoreV1().Namespaces().Delete(ctx, ns, metav1.DeleteOptions{}) }()
	}
	switch t := t.(type) {
	case *metricsTarget:
		return runMetrics(ctx, t, s, ns, o.n, o.c, o.metricsGets, o.metricsRate, o.metricsRateFor)
	case target:
		return runWorkload(ctx, t, s, ns, o.n, o.c)
	}
	return run{}, fmt.Errorf("%s/%s: no workload for %T", t.Name(), t.Client(), t)
}

func newTarget(name, client string, kubeConfig, directConfig *rest.Config, etcdClient *clientv3.Client, stored []byte) (cell, error) {
	switch {
	case client == "metrics":
		switch name {
		case "aggregated":
			return newMetricsTarget(name, kubeConfig, directConfig)
		case "direct":
			return newMetricsTarget(name, directConfig, directConfig)
		case "crd", "etcd":
			return nil, nil // the metrics are example-apiserver's alone
		}
	case name == "etcd" && client == "dynamic":
		return &etcdTarget{client: etcdClient, value: stored}, nil
	case name == "etcd":
		return nil, nil // one etcd run per round is enough: it has no client to vary
	case client == "dynamic":
		switch name {
		case "aggregated":
			return newDynamicTarget(name, kubeConfig, cronTabs)
		case "direct":
			return newDynamicTarget(name, directConfig, cronTabs)
		case "crd":
			return newDynamicTarget(name, kubeConfig, crd)
		}
	case client == "typed":
		switch name {
		case "aggregated":
			return newTypedTarget(name, kubeConfig)
		case "direct":
			return newTypedTarget(name, directConfig)
		case "crd":
			return newCRDTypedTarget(kubeConfig, crd.GroupVersion())
		}
	}
	return nil, fmt.Errorf("unknown target %q or client %q", name, client)
}

// applyCRD installs the CronTab CRD and waits until kube-apiserver serves it.
func applyCRD(root string, s *stack) error {
	kubectl := filepath.Join(root, "_output", "bin", "kubectl")
	manifest := filepath.Join(root, "artifacts", "crd", "crontab-crd.yaml")
	for _, args := range [][]string{
		{"apply", "-f", manifest},
		{"wait", "--for=condition=Established", "--timeout=60s", "crd/crontabs.stable.example.com"},
	} {
		out, err := exec.Command(kubectl, append([]string{"--kubeconfig", s.path("kubeconfig")}, args...)...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("kubectl %s: %w\n%s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}

// sampleStoredBytes creates one CronTab through example-apiserver and reads what it wrote
// to etcd, so the etcd target moves exactly those bytes.
func sampleStoredBytes(ctx context.Context, kube kubernetes.Interface, directConfig *rest.Config, etcdClient *clientv3.Client) ([]byte, error) {
	const ns = "bench-sample"
	if _, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil && !strings.Contains(err.Error(), "already exists") {
		return nil, err
	}
	t, err := newTypedTarget("direct", directConfig)
	if err != nil {
		return nil, err
	}
	_ = t.Delete(ctx, ns, 0)
	if _, err := t.Create(ctx, ns, 0); err != nil {
		return nil, fmt.Errorf("creating the sample CronTab: %w", err)
	}
	defer func() { _ = t.Delete(ctx, ns, 0) }()
	_, value, err := utils.StoredObject(ctx, etcdClient, "/registry/example.com", "crontabs", ns, objectName(0))
	return value, err
}

func gitDescribe(root string) string {
	out, err := exec.Command("git", "-C", root, "describe", "--always", "--dirty").Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
