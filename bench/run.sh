#!/usr/bin/env bash
# bench/run.sh — plinth's benchmarks side by side with its peers.
#
#   bench/run.sh quick   about a minute on 2 cores: 1e4 and 1e5 keys, short benchtime,
#                        3 overwrite rounds in the Memory benchmark
#   bench/run.sh full    about ten minutes on 2 cores: 1e4, 1e5 and 1e6 keys, 3 samples,
#                        5 overwrite rounds in the Memory benchmark
#
# Each store runs in its own process per key count, so heaps and background
# goroutines never mix and each data set is loaded once. Most of the time
# goes to the timed benchmarks (bounded by benchtime, about 20 s a store in
# full) and to the Memory benchmark (a load and the overwrites of every key:
# at 1e6 keys from 5 s for btree to about 40 s for sqlite, go-memdb and
# plinth, whose wait for its MVCC window is part of it). To keep twelve
# stores within those budgets, the copying variants (plinth-copy,
# btree-copy: the same code as plinth and btree but for reads that copy what
# they hand out) run only the workloads that read through Get or Scan, Get,
# Scan100 and YCSB C and E, and no Memory benchmark (their memory is their
# base store's). A full run took 12 minutes with 10 overwrite rounds; 5
# bring it to about ten. Writes
#   bench/results/raw.txt    Go benchmark format (benchstat -col /store raw.txt)
#   bench/results/latest.md  the markdown tables (ns/op, allocs/op, ratios, retries, memory)
#   bench/results/summary.md the short table for the README (largest key count)
#
# Environment overrides: BENCH_STORES (names, space- or comma-separated), BENCH_SIZES,
# BENCH_TIME, BENCH_COUNT, BENCH_MEM_KEYS, BENCH_MEM_ROUNDS, BENCH_WARM (how long each
# store takes random overwrites before the timed runs at the largest size, default 0s;
# 6s, longer than plinth's 5 s MVCC window, has plinth trimming while they run: see
# bench/README.md, "Steady state"), BENCH_TAGS (go
# build tags for the peers module), BENCH_RESULTS (output directory).
# Works from any directory.
set -euo pipefail

mode=${1:-quick}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
results=${BENCH_RESULTS:-$here/results}

case $mode in
quick)
	sizes="1e4 1e5" benchtime=40ms count=1 memkeys=1e5 memrounds=3 warm=0s
	;;
full)
	sizes="1e4 1e5 1e6" benchtime=150ms count=3 memkeys=1e6 memrounds=5 warm=0s
	;;
*)
	echo "usage: $0 quick|full" >&2
	exit 2
	;;
esac
sizes=${BENCH_SIZES:-$sizes}
benchtime=${BENCH_TIME:-$benchtime}
count=${BENCH_COUNT:-$count}
memkeys=${BENCH_MEM_KEYS:-$memkeys}
memrounds=${BENCH_MEM_ROUNDS:-$memrounds}
warm=${BENCH_WARM:-$warm}
last=${sizes##* }
tags=${BENCH_TAGS:-}

start=$SECONDS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/plinth-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

echo "bench: building (mode $mode)" >&2
(
	cd "$here/peers"
	go test -c -o "$tmp/peers.test" ${tags:+-tags "$tags"} .
	go build -o "$tmp/benchtable" ${tags:+-tags "$tags"} ./cmd/benchtable
)
stores=${BENCH_STORES:-$("$tmp/benchtable" -list | tr '\n' ' ')}
stores=${stores//,/ }

mkdir -p "$results"
raw=$tmp/raw.txt
{
	echo "plinth-bench-mode: $mode"
	echo "plinth-bench-benchtime: $benchtime"
	echo "plinth-bench-count: $count"
	echo "plinth-bench-mem-rounds: $memrounds"
	echo "plinth-bench-warm: $warm"
	echo "go: $(go env GOVERSION)"
	echo "gomaxprocs: ${GOMAXPROCS:-$(getconf _NPROCESSORS_ONLN)}"
} >"$raw"

# run LABEL ENV... -- TESTFLAGS...: one process of the test binary; its
# benchmark lines (and the goos/goarch/pkg/cpu header) go to raw.txt.
run() {
	local label=$1 t0=$SECONDS out=$tmp/out.txt
	shift
	local envs=()
	while [[ $1 != -- ]]; do
		envs+=("$1")
		shift
	done
	shift
	if ! env "${envs[@]}" "$tmp/peers.test" -test.run '^$' -test.timeout 10m "$@" >"$out" 2>&1; then
		cat "$out" >&2
		echo "bench: $label failed" >&2
		exit 1
	fi
	grep -E '^(Benchmark|goos:|goarch:|pkg:|cpu:)' "$out" >>"$raw" || true
	printf 'bench: %-32s %4ds (total %ds)\n' "$label" $((SECONDS - t0)) $((SECONDS - start)) >&2
}

every='^Benchmark(Get|Scan100|Set1|Read5Write5|YCSB)$'
largest='^Benchmark(Get|Scan100|Set1|Read5Write5|YCSB|Parallel|Counter)$'
# reads: the workloads of the copying variants (sub-benchmark patterns per
# level: the second level is store=NAME, or mix=X for YCSB).
reads='^Benchmark(Get|Scan100|YCSB)$/^(store=.*|mix=[CE])$'
copying=" plinth-copy btree-copy "
for store in $stores; do
	for n in $sizes; do
		pattern=$every warmup=0s
		[[ $n == "$last" ]] && pattern=$largest warmup=$warm
		[[ $copying == *" $store "* ]] && pattern=$reads
		run "store=$store keys=$n" BENCH_STORES="$store" BENCH_KEYS="$n" BENCH_WARM="$warmup" -- \
			-test.bench "$pattern" -test.benchtime "$benchtime" -test.count "$count"
	done
	[[ $copying == *" $store "* ]] && continue
	run "store=$store memory keys=$memkeys" BENCH_STORES="$store" BENCH_KEYS="$memkeys" \
		BENCH_MEM_KEYS="$memkeys" BENCH_MEM_ROUNDS="$memrounds" -- \
		-test.bench '^BenchmarkMemory$' -test.benchtime 1x -test.count 1
done

"$tmp/benchtable" "$raw" >"$tmp/latest.md"
"$tmp/benchtable" -summary "$raw" >"$tmp/summary.md"
mv "$raw" "$results/raw.txt"
mv "$tmp/latest.md" "$results/latest.md"
mv "$tmp/summary.md" "$results/summary.md"
echo "bench: wrote raw.txt, latest.md and summary.md in $results in $((SECONDS - start))s" >&2
