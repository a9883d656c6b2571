#!/bin/sh
# make bench: generate the synthetic repos, run the Go benchmarks, time the
# built binary end to end and compare with Conftest. See docs/performance.md.
#
# NATSAUDIT_BENCH_SIZES=10,100 make bench   runs only the small sizes.
set -eu
GO=${GO:-go}
OUT=bin/bench
CONFTEST_VERSION=v0.71.1
SIZES=${NATSAUDIT_BENCH_SIZES:-10,100,1000,5000}
NOW=--now=2026-11-23T00:00:00Z

mkdir -p "$OUT"
echo "== machine"
echo "cores: $(nproc), $(uname -m), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //')"
echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
echo "$($GO version)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates every number)"

$GO build -o bin/natsaudit ./cmd/natsaudit
$GO build -o "$OUT/bench" ./tools/bench
$GO build -o "$OUT/testgen" ./tools/testgen

echo "== generated repos ($OUT/repos)"
for n in $(echo "$SIZES" | tr ',' ' '); do
	rm -rf "$OUT/repos/files-$n"
	"$OUT/testgen" -services $((n / 2)) -out "$OUT/repos/files-$n"
done

rm -rf "$OUT/repos/kube-500"
"$OUT/testgen" -kube 500 -out "$OUT/repos/kube-500"

if [ ! -x bin/conftest ]; then
	echo "== building Conftest $CONFTEST_VERSION into bin/ (once; a few minutes)"
	GOBIN="$(pwd)/bin" $GO install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" ||
		echo "Conftest could not be built: the comparison is skipped"
fi

echo "== Go benchmarks"
NATSAUDIT_BENCH_SIZES=$SIZES $GO test -run '^$' -bench . -benchmem \
	./internal/engine ./internal/discover ./internal/assemble ./internal/audit ./internal/report ./internal/probe |
	tee "$OUT/gobench.txt"
echo
"$OUT/bench" -gobench "$OUT/gobench.txt"

echo
echo "== end to end (bin/natsaudit as a process: wall, CPU, peak RSS)"
set -- -case "natsaudit --version (process floor)=bin/natsaudit --version" \
	-case "rules list=bin/natsaudit rules list" \
	-case "scan testdata/repos/sahool=bin/natsaudit scan testdata/repos/sahool $NOW --fail-on never" \
	-case "scan 500 Kubernetes manifests (budget: 1 s)=bin/natsaudit scan $OUT/repos/kube-500 $NOW --fail-on never"
for n in $(echo "$SIZES" | tr ',' ' '); do
	[ "$n" -le 100 ] && set -- "$@" -case "scan $n config files=bin/natsaudit scan $OUT/repos/files-$n $NOW --fail-on never"
done
"$OUT/bench" -runs 10 "$@" || echo "(a case failed: see above)"
set --
for n in $(echo "$SIZES" | tr ',' ' '); do
	[ "$n" -gt 100 ] && set -- "$@" -case "scan $n config files=bin/natsaudit scan $OUT/repos/files-$n $NOW --fail-on never"
	if [ "$n" -eq 1000 ] && [ -x bin/conftest ]; then
		set -- "$@" -case "conftest: 1 rule over the 500 compose files=bin/conftest test --no-color --policy tools/bench/conftest glob:$OUT/repos/files-1000/services/*/docker-compose.yml"
		set -- "$@" -case "natsaudit: the same 500 compose files only=bin/natsaudit scan glob:$OUT/repos/files-1000/services/*/docker-compose.yml $NOW --fail-on never"
	fi
done
[ $# -gt 0 ] && { "$OUT/bench" -runs 3 "$@" || echo "(a case failed: see above)"; }
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
