#!/bin/sh
# make bench: generate the synthetic repos, time the built binary end to end
# against every target of docs/performance.md (issue 18), compare with
# Conftest and Trivy when they can be had, and run the Go benchmarks.
#
# NATSAUDIT_BENCH_SIZES=10,100 make bench      only these config-file sizes
# NATSAUDIT_BENCH_COMPOSE=100,2000 make bench  only these one-compose-file sizes
# NATSAUDIT_BENCH_RUNS=3 make bench            timed runs per case (default 5)
# NATSAUDIT_BENCH_GO=0 make bench              skip the Go benchmarks
set -eu
GO=${GO:-go}
OUT=bin/bench
CONFTEST_VERSION=v0.71.1
SIZES=${NATSAUDIT_BENCH_SIZES:-10,100,1000,5000}
COMPOSE=${NATSAUDIT_BENCH_COMPOSE:-100,1000,2000,10000}
RUNS=${NATSAUDIT_BENCH_RUNS:-5}
NOW=--now=2026-11-23T00:00:00Z

mkdir -p "$OUT"
echo "== machine"
echo "cores: $(nproc), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
$GO version
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates every number; CPU time is the steadier figure)"

$GO build -o bin/natsaudit ./cmd/natsaudit
$GO build -o "$OUT/bench" ./tools/bench
$GO build -o "$OUT/testgen" ./tools/testgen

echo "== generated repos ($OUT/repos)"
for n in $(echo "$SIZES" | tr ',' ' '); do
	rm -rf "$OUT/repos/files-$n"
	"$OUT/testgen" -services $((n / 2)) -out "$OUT/repos/files-$n"
done
for n in $(echo "$COMPOSE" | tr ',' ' '); do
	rm -rf "$OUT/repos/compose-$n"
	"$OUT/testgen" -compose-services "$n" -out "$OUT/repos/compose-$n"
done
rm -rf "$OUT/repos/kube-500"
"$OUT/testgen" -kube 500 -out "$OUT/repos/kube-500"

# Conftest: a pinned release built from the Go module proxy (go install of
# a tagged version: `go run` would time the build too). Skipped with a
# message when it cannot be built (offline, proxy down).
CONFTEST=
if [ -x bin/conftest ]; then
	CONFTEST=bin/conftest
else
	echo "== building Conftest $CONFTEST_VERSION into bin/ (once; a few minutes)"
	if GOBIN="$(pwd)/bin" $GO install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION"; then
		CONFTEST=bin/conftest
	else
		echo "Conftest $CONFTEST_VERSION could not be built: the Conftest comparison is skipped"
	fi
fi
# Trivy is not a Go module one can build in a minute: it is used when it is
# installed (its built-in checks, offline), skipped otherwise.
TRIVY=$(command -v trivy || true)
[ -n "$TRIVY" ] || echo "trivy is not installed (https://trivy.dev): the Trivy comparison is skipped"

scan() { echo "bin/natsaudit scan $1 $NOW --fail-on never"; }

set -- -case "natsaudit --version (process floor)=bin/natsaudit --version" \
	-case "rules list=bin/natsaudit rules list" \
	-case "scan testdata/repos/sahool=$(scan testdata/repos/sahool)" \
	-target "typical repo (testdata/repos/sahool), whole process|scan testdata/repos/sahool|80|0" \
	-case "scan 500 Kubernetes manifests=$(scan "$OUT/repos/kube-500")" \
	-target "500 Kubernetes manifests (100 NATS workloads, issue 13), whole process|scan 500 Kubernetes manifests|1000|0"
for n in $(echo "$SIZES" | tr ',' ' '); do
	set -- "$@" -case "scan $n config files=$(scan "$OUT/repos/files-$n")"
	case $n in
	1000)
		set -- "$@" -target "1,000 config files (500 services, 3,009 files)|scan $n config files|450|200"
		if [ -n "$CONFTEST" ]; then
			set -- "$@" -case "conftest: 1 rule over the 500 compose files=$CONFTEST test --no-color --policy tools/bench/conftest glob:$OUT/repos/files-$n/services/*/docker-compose.yml"
			set -- "$@" -case "natsaudit: the same 500 compose files only=bin/natsaudit scan glob:$OUT/repos/files-$n/services/*/docker-compose.yml $NOW --fail-on never"
		fi
		set -- "$@" -ratio "whole 1,000-file repo / Conftest with 1 rule on its 500 compose files|scan $n config files|conftest: 1 rule over the 500 compose files|3.5"
		set -- "$@" -ratio "the same 500 compose files: natsaudit / Conftest|natsaudit: the same 500 compose files only|conftest: 1 rule over the 500 compose files|3.5"
		;;
	5000) set -- "$@" -target "5,000 config files|scan $n config files|2500|600" ;;
	esac
done
for n in $(echo "$COMPOSE" | tr ',' ' '); do
	set -- "$@" -case "one compose file, $n NATS services=$(scan "$OUT/repos/compose-$n")" \
		-per "per service, one compose file of $n|one compose file, $n NATS services|$n|service"
	case $n in
	2000) set -- "$@" -target "one compose file, 2,000 services|one compose file, $n NATS services|1500|0" ;;
	10000) set -- "$@" -target "one compose file, 10,000 services (a full report: exit 0 or 1)|one compose file, $n NATS services|6000|0" ;;
	esac
done
if [ -n "$TRIVY" ]; then
	# One checked run first: Trivy exits 1 for a usage error as for a
	# finding, so the timed runs alone cannot tell a scan from a refusal
	# (an unknown flag once made a 140 ms "scan"). It also counts the
	# checks Trivy evaluated (its MisconfSummary: passed + failed).
	if "$TRIVY" config --skip-check-update --quiet --format json --output "$OUT/trivy-kube-500.json" "$OUT/repos/kube-500"; then
		echo "trivy config, 500 Kubernetes manifests: $(grep -o '"Successes": [0-9]*' "$OUT/trivy-kube-500.json" | awk '{s+=$2} END {print s+0}') checks passed, $(grep -o '"Failures": [0-9]*' "$OUT/trivy-kube-500.json" | awk '{s+=$2} END {print s+0}') failed, over $(grep -c '"Target":' "$OUT/trivy-kube-500.json") files"
		set -- "$@" -case "trivy config, 500 Kubernetes manifests=$TRIVY config --skip-check-update --quiet $OUT/repos/kube-500"
	else
		echo "trivy config failed on the Kubernetes repo: the Trivy comparison is skipped"
	fi
fi
set -- "$@" -ratio "500 Kubernetes manifests: natsaudit / trivy config|scan 500 Kubernetes manifests|trivy config, 500 Kubernetes manifests|0.5"

echo
echo "== end to end (bin/natsaudit as a process: wall, CPU, peak RSS; median of $RUNS)"
"$OUT/bench" -runs "$RUNS" "$@" || echo "(a case failed: see above)"
echo "load average after the end-to-end runs: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "${NATSAUDIT_BENCH_GO:-1}" != 0 ]; then
	echo
	echo "== Go benchmarks"
	NATSAUDIT_BENCH_SIZES=$SIZES $GO test -run '^$' -bench . -benchmem \
		./internal/engine ./internal/discover ./internal/assemble ./internal/audit ./internal/report ./internal/probe |
		tee "$OUT/gobench.txt"
	echo
	"$OUT/bench" -gobench "$OUT/gobench.txt"
fi
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
