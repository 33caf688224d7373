# The Makefile is the project's interface: every script and test goes through these targets.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

BIN_DIR := _output/bin
# A semantic version (vX.Y.Z...), as krew and Go tooling expect; untagged trees are v0.1.0-dev+<commit>.
VERSION ?= $(shell git describe --tags --match 'v*' --dirty 2>/dev/null || echo "v0.1.0-dev+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
# Version stamps; hack/ldflags.sh says which goes where and why.
# The build date is the commit's time, so that one commit builds the same binaries and images.
BUILD_DATE ?= $(shell TZ=UTC git show -s --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD 2>/dev/null || date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := $(shell hack/ldflags.sh '$(VERSION)' '$(shell git rev-parse HEAD 2>/dev/null)' '$(BUILD_DATE)')
GO_TEST_FLAGS ?=
# Every go command here (build, test, vet, run, and those the suites start) compiles static
# and with -trimpath: the images need static binaries and reproducible builds, and one setting
# for all lets the tests, the images and hack/build-tools.sh share each compiled package;
# with CGO_ENABLED=1 anywhere, every package above net would be compiled twice.
# (GO_TEST_FLAGS=-race needs CGO_ENABLED=1 on the command line.)
export CGO_ENABLED ?= 0
export GOFLAGS := $(strip $(GOFLAGS) -trimpath)

.PHONY: all help build image test-all test-image test-node test-deploy test-helm deploy-certs tools-node tools-helm install plugins test test-unit test-monitoring test-integration test-reliability test-upgrade test-ha test-e2e prereqs-run prereqs-test fuzz run up prometheus dashboard-snapshot down tools generate verify verify-cold bench bench-controller bench-memory bench-scale bench-inprocess clean

all: build

help: ## Print the targets with what they do.
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z0-9-]*:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# The kubectl plugin, its completion helper and the exec credential plugin, built and
# installed beside the server: `export PATH=$(BIN_DIR):$$PATH` makes `kubectl example` work.
PLUGIN_CMDS := ./cmd/kubectl-example ./cmd/example-credential-plugin
GOBIN_DIR = $(or $(shell go env GOBIN),$(shell go env GOPATH)/bin)

build: ## Build example-apiserver, example-controller-manager, kubectl-example and example-credential-plugin into _output/bin.
	go build -ldflags "$(LDFLAGS)" -o $(BIN_DIR)/ ./cmd/example-apiserver ./cmd/example-controller-manager $(PLUGIN_CMDS)
	install -m 0755 hack/kubectl_complete-example $(BIN_DIR)/kubectl_complete-example

# The images artifacts/deploy runs (its kustomization.yaml names them): the static binaries of
# make build, a CA bundle, user 65532, no shell. The tag is the version without its build
# metadata (v0.1.0-dev on an untagged tree), as artifacts/deploy/kustomization.yaml names it; the
# labels carry the commit, so each commit still has its own digest.
IMAGE_REGISTRY ?= example.com
IMAGE_TAG ?= $(firstword $(subst +, ,$(VERSION)))
IMAGES_DIR ?= _output/images
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
IMAGES := example-apiserver example-controller-manager

image: build ## Build the images of example-apiserver and example-controller-manager into _output/images as OCI archives (ctr images import, docker load, crane push); the same commit gives the same digest.
	@mkdir -p $(IMAGES_DIR); for cmd in $(IMAGES); do \
	  go run ./hack/build-image --ref "$(IMAGE_REGISTRY)/$$cmd:$(IMAGE_TAG)" --binary "$(BIN_DIR)/$$cmd" \
	    --ca-bundle "$(CA_BUNDLE)" --created "$(BUILD_DATE)" --label org.opencontainers.image.revision="$$(git rev-parse HEAD)" \
	    --label org.opencontainers.image.version="$(VERSION)" --output "$(IMAGES_DIR)/$$cmd.tar"; \
	done

test-image: ## The image builder (reproducible digests, archives containerd imports and runs, make image against artifacts/deploy) and the test images' programs.
	go test $(GO_TEST_FLAGS) -timeout 10m ./hack/build-image/... ./test/images/...

install: ## Install example-apiserver, example-controller-manager, kubectl-example (with kubectl_complete-example) and example-credential-plugin into GOBIN.
	go install -ldflags "$(LDFLAGS)" ./cmd/example-apiserver ./cmd/example-controller-manager $(PLUGIN_CMDS)
	install -m 0755 hack/kubectl_complete-example $(GOBIN_DIR)/kubectl_complete-example

plugins: ## Build kubectl-example's krew archives into _output/plugins and write their sha256 into artifacts/krew/example.yaml.
	hack/build-plugins.sh

# make test: first, one at a time, what needs the cores (the checks, the unit tests, the builds);
# then the suites in two lanes at once, since a suite mostly waits on the servers it runs: the
# real node's (root, one node per machine) and the host processes'. Each lane runs its suites
# in order; a failure starts nothing new and the other lane ends its running suite. Each
# suite's output is printed whole when it ends. TEST_JOBS=1 runs everything in one lane.
TEST_JOBS ?= 2
TEST_FIRST := prereqs-test verify test-unit test-image build image tools tools-node tools-helm
TEST_LANE_NODE := test-node test-deploy
TEST_LANE_HOST := test-helm test-monitoring test-integration test-reliability test-upgrade test-ha test-e2e
test: ## Generated code current, then every suite: unit, the image builder, the real node, the deployment on it (kustomize and Helm), the chart, the alert rules, integration (real etcd), reliability (faults), upgrade (from the previous release), HA (faults of the production shape), e2e (real control plane).
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target test-all

test-all: $(TEST_FIRST) $(TEST_LANE_NODE) $(TEST_LANE_HOST)

# $(call in_order,a b c): b after a, c after b, as order-only prerequisites, which exist only
# when test-all is the goal: make test-deploy alone, or the make image a suite runs, still
# runs only itself. (A variable given on make's command line would reach those nested makes.)
in_order = $(if $(word 2,$(1)),$(eval $(word 2,$(1)): | $(firstword $(1)))$(call in_order,$(wordlist 2,$(words $(1)),$(1))))
ifneq ($(filter test-all,$(MAKECMDGOALS)),)
$(call in_order,$(TEST_FIRST) $(firstword $(TEST_LANE_NODE)))
$(call in_order,$(lastword $(TEST_FIRST)) $(TEST_LANE_NODE))
$(call in_order,$(lastword $(TEST_FIRST)) $(TEST_LANE_HOST))
endif

test-unit: ## Unit tests beside the code.
	go test $(GO_TEST_FLAGS) ./pkg/... ./cmd/...

test-monitoring: prereqs-test ## artifacts/monitoring: the alerting and recording rules checked and unit-tested with promtool, the kube-state-metrics configuration, the dashboard and the drawing of make dashboard-snapshot.
	cd artifacts/monitoring && promtool check rules rules.yaml && promtool test rules rules_test.yaml
	go test $(GO_TEST_FLAGS) ./test/monitoring/...
	cd test/monitoring/kubestatemetrics && go test $(GO_TEST_FLAGS) ./...
	cd test/monitoring/dashboardsnapshot && go test $(GO_TEST_FLAGS) ./...

test-integration: ## The real server in-process against a real (embedded) etcd.
	go test $(GO_TEST_FLAGS) ./test/integration/...

# make up HA=1, make run HA=1: the production shape, a three-member etcd cluster and two
# replicas of each of our processes (docs/reliability.md).
HA ?=
# make up NODE=real, make run NODE=real: a real node (containerd, kubelet, kube-proxy) beside
# the fake one, its pods real containers (hack/lib/node.sh).
NODE ?=
LOCAL_UP_ENV := $(if $(filter 1,$(HA)),LOCAL_UP_HA=1) $(if $(NODE),LOCAL_UP_NODE=$(NODE))

prereqs-run: ## Check (and apt-get install when root) the programs the local stack needs (HA=1: and haproxy).
	@hack/prereqs.sh $(if $(filter 1,$(HA)),ha,$(if $(NODE),node,run))

prereqs-test: ## Check (and apt-get install when root) the programs the suites need.
	@hack/prereqs.sh test

# A fresh machine has an empty module cache: generators must download what they read.
verify-cold: prereqs-test ## hack/verify-codegen.sh from an empty, temporary Go module cache (CI runs it).
	@modcache="$$(mktemp -d -t cold-gomodcache.XXXXXX)"; \
	  trap 'GOMODCACHE="$$modcache" go clean -modcache; rm -rf "$$modcache"' EXIT; \
	  echo "verify-cold: GOMODCACHE=$$modcache"; \
	  GOMODCACHE="$$modcache" GOFLAGS="$${GOFLAGS:-} -modcacherw" hack/verify-codegen.sh

test-ha: build tools ## The HA shape (make up HA=1) under CronTab writes and watches through the aggregator, each kind of process killed in turn; prints the table of docs/reliability.md (~3 min).
	@hack/prereqs.sh ha
	go test $(GO_TEST_FLAGS) -v -count=1 -timeout 15m ./test/ha/...

test-node: build tools tools-node ## make up NODE=real as a test: a pod's container runs and logs, a ClusterIP Service answers (by name through CoreDNS too), pods have no route off the machine, and make down leaves links, namespaces, rules, mounts and kernel settings as they were (root).
	@hack/prereqs.sh node
	go test $(GO_TEST_FLAGS) -count=1 -timeout 15m ./test/node/...

test-deploy: image tools tools-node tools-helm ## On the real node (root): charts/example-apiserver installed with helm, upgraded to 3 replicas and an image policy, uninstalled leaving nothing of the release; then artifacts/deploy: make image's images, hack/deploy-certs.sh, kubectl apply -k; etcd, both servers and controllers Ready, APIServices Available through the Service, the walk-through, a CronTab run's real container, its logs and kubectl example history, the seed's HPA scaling a Deployment of real pods, a rolling restart under load with no failed request, an etcd member deleted losing no acknowledged write, then the e2e suite against it (E2E_KUBECONFIG mode), and make down leaving nothing (~6 min, 2.5 of them the e2e suite).
	@hack/prereqs.sh node
	go test $(GO_TEST_FLAGS) -count=1 -v -timeout 40m ./test/deploy/...

test-helm: tools tools-helm ## charts/example-apiserver: helm lint of every value set, the same objects as artifacts/deploy, the packaged chart, the PrometheusRule is artifacts/monitoring/rules.yaml, each rendered configuration valid, ~20 s (the e2e suite dry-runs every value set, test-deploy installs it).
	go test $(GO_TEST_FLAGS) -count=1 ./test/helmchart/...

deploy-certs: ## Without cert-manager: write artifacts/deploy's serving and etcd Secrets and the APIServices' caBundle into the cluster of KUBECONFIG (after kubectl apply -k artifacts/deploy).
	hack/deploy-certs.sh

test-reliability: build tools ## The built binaries as processes: two replicas on one etcd, etcd killed under load, SIGTERM under load.
	go test $(GO_TEST_FLAGS) -timeout 10m ./test/loadcheck/... ./test/reliability/...

# The release an upgrade starts from: the last commit before example.com/v2 was served.
UPGRADE_FROM ?= 19ba23a7d3173249f0b6ddecbd348555f120c38c
test-upgrade: build tools ## The previous release (UPGRADE_FROM, built once per commit into _output/upgrade) and this one as processes on one etcd: its objects read in v1 and v2, a rolling update, a rollback, kubectl example migrate-storage to v2 checked in etcd.
	@bin="$$(hack/build-upgrade-from.sh '$(UPGRADE_FROM)')"; \
	  UPGRADE_FROM_BIN="$$bin" go test $(GO_TEST_FLAGS) -count=1 -timeout 10m -run '^(TestUpgradeFromPreviousRelease|TestMigrateStorageFromPreviousRelease)$$' ./test/reliability/

FUZZTIME ?= 1m
fuzz: ## Run every fuzz target for FUZZTIME each (make test only replays their corpora).
	@grep -r --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*' cmd pkg test | sort | while IFS=: read -r file fn; do \
	  name="$${fn#func }"; echo "== $$name ($$(dirname "$$file"), $(FUZZTIME))"; \
	  go test -run '^$$' -fuzz "^$$name$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 10s "./$$(dirname "$$file")"; \
	done

test-e2e: build tools tools-helm ## kube-apiserver + kcm + example-apiserver started by hack/local-up.sh, driven by the real kubectl; E2E_KUBECONFIG=path targets an existing cluster instead.
	go test $(GO_TEST_FLAGS) -timeout 30m ./test/e2e/...

run: prereqs-run build tools ## Bring up the local control plane in the foreground; Ctrl-C stops it. HA=1: the production shape; NODE=real: a real node too.
	$(LOCAL_UP_ENV) hack/local-up.sh run

up: prereqs-run build tools ## Bring up the local control plane in the background. HA=1: the production shape; NODE=real: a real node too.
	$(LOCAL_UP_ENV) hack/local-up.sh up

prometheus: ## Run Prometheus (Debian's) against the stack of make up with the rules of artifacts/monitoring, in the foreground; prints its URL.
	go run ./test/localprometheus

# From the repository root: the program finds the stack with the go command, as the suites do.
DASHBOARD_SNAPSHOT_FLAGS ?=
dashboard-snapshot: ## Against the stack of make up: Prometheus as make prometheus, CronTabs (one failing), requests and logins for ~7 min, then artifacts/monitoring/dashboard.json drawn with that data into docs/images/dashboard.png; DASHBOARD_SNAPSHOT_FLAGS="-runs 10 -width 1600".
	cd test/monitoring/dashboardsnapshot && go build -o ../../../$(BIN_DIR)/ .
	$(BIN_DIR)/dashboardsnapshot $(DASHBOARD_SNAPSHOT_FLAGS)

down: ## Stop the local control plane started by make up (every replica of HA=1 too).
	hack/local-up.sh down

tools: ## Build etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl (v1.37.2) and kwok (v0.8.0) from hack/tools into _output/bin.
	hack/build-tools.sh

tools-node: ## Build the real node's kubelet and kube-proxy (v1.37.2), crictl and CoreDNS into _output/bin.
	hack/build-tools.sh kubelet kube-proxy crictl coredns

tools-helm: ## Build helm (v4.3.2, from its module) into _output/bin.
	hack/build-tools.sh helm

generate: ## Regenerate deepcopy, defaults, conversions, OpenAPI, clientset, listers, informers, apply configurations.
	hack/update-codegen.sh

verify: ## Fail on generated-code drift, an API package importing upward or the server's dependencies (Kubernetes' packages, feature gates, metrics clients), unformatted code, an untidy go.mod, vet findings or shellcheck findings (hack/verify-all.sh runs hack/verify-*.sh and names the ones that fail).
	hack/verify-all.sh

BENCH_FLAGS ?=
bench: build tools ## CronTabs via the aggregator and direct vs the CronTab CRD vs raw etcd (throughput, CPU per 1,000 operations), external metric GETs (saturated and at 500/s), RSS vs sample-apiserver, on the local stack, ~4 min (docs/benchmarks.md); BENCH_FLAGS="-n 2000 -rounds 3 ...".
	hack/build-tools.sh sample-apiserver
	go run ./test/bench $(BENCH_FLAGS)

BENCH_CONTROLLER_FLAGS ?=
bench-controller: build tools ## example-controller-manager vs kube-controller-manager's CronJob controller, 500 CronTabs and 500 CronJobs every minute on one local stack, ~6 min (docs/benchmarks.md); BENCH_CONTROLLER_FLAGS="-kube-api-qps 300 -kube-api-burst 600" for equal client limits; "-herd [-herd-n 5000] [-herd-stagger 5m]" for the herd: N CronTabs, then N CronJobs, all due in one minute.
	go run ./test/bench controller $(BENCH_CONTROLLER_FLAGS)

BENCH_MEMORY_FLAGS ?=
bench-memory: build tools ## Memory goals: anonymous RSS after equal churn and a quiet period, live heap per stored object, example-apiserver vs the CRD, on a fresh local stack without and one with example-controller-manager, ~12 min (docs/benchmarks.md); BENCH_MEMORY_FLAGS="-controller with -k 5000 -cycles 3 -quiet 120s -objects 20000".
	go run ./test/bench memory $(BENCH_MEMORY_FLAGS)

BENCH_SCALE_FLAGS ?=
bench-scale: build tools ## 100,000 CronTabs vs 100,000 objects of the CronTab CRD on one local stack: create rate, LISTs, watch from 0, memory, etcd size, ~10 min (docs/benchmarks.md); BENCH_SCALE_FLAGS="-n 10000" for a quick run of ~2 min.
	go run ./test/bench scale $(BENCH_SCALE_FLAGS)

BENCH_INPROCESS_FLAGS ?=
bench-inprocess: ## Go benchmarks: the server in-process against real etcd, and the validation every write pays; then the goal that validating a job template costs ≤10% of create throughput, as an A/B (BENCH_INPROCESS_FLAGS="-rounds 5 -creates 3000"; each arm a fresh server and etcd).
	go test -run '^$$' -bench . -skip BenchmarkCronTabCreateJobTemplate -benchmem -benchtime 2s ./test/integration/... ./pkg/apis/example/validation/
	go test -run '^$$' -bench BenchmarkValidateCronTabJobTemplate -benchmem -benchtime 2s ./pkg/registry/example/crontab/
	go run ./test/bench inprocess $(BENCH_INPROCESS_FLAGS)

clean: ## Remove _output (built binaries, tools and plugin archives).
	rm -rf _output
