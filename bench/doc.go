// Package bench holds plinth's benchmarks. It has no code of its own: the
// benchmarks are in its _test.go files and run with
//
//	go test -run '^$' -bench . ./bench              # 1e6 keys
//	go test -short -run '^$' -bench . ./bench       # 1e4 keys
//	BENCH_KEYS=1e5 go test -run '^$' -bench . ./bench
//
// engine_test.go measures the engine alone on 16-byte keys and 100-byte
// values: a point Get inside a read transaction, a 100-key range scan, a
// 1-write commit (create, set, commit), a 5-read 5-write commit, and two
// goroutines committing disjoint keys. Beside plinth it runs two floors with
// the same data, a google/btree holding the key as mvcc does (16-byte prefix
// inline) and a map under a sync.RWMutex, so a change to the engine can be
// judged against what a bare ordered structure costs on this machine.
//
// The comparison with other Go stores (badger, go-memdb, buntdb, bbolt) is
// in the nested module bench/peers, which keeps their dependencies out of
// plinth's go.mod; bench/run.sh runs it and writes bench/results/latest.md.
package bench
