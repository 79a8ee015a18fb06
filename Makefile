# plinth — the commands a developer and CI run. See README.md.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 20s

.PHONY: all test race short invariants demo bench bench-quick bench-check fuzz lint vet fmt

all: lint test

## test: vet, then every test with the race detector (what CI runs)
test: vet
	$(GO) test -race -count=1 $(PKGS)

## race: the same as test; kept for muscle memory
race: test

## short: a quick pass without the race detector
short:
	$(GO) test -short -count=1 $(PKGS)

## invariants: the conflict and kv tests with the conflict history's structure
## checked after every commit of kv's reference model (-tags invariants)
invariants:
	$(GO) test -race -count=1 -tags invariants ./conflict ./kv

## demo: concurrent bank transfers on the embedded database
demo:
	$(GO) run ./cmd/plinth-demo

## bench: the full comparison with peer stores (about 10 minutes); writes bench/results/
bench:
	bash bench/run.sh full

## bench-quick: the same comparison at small sizes (under a minute)
bench-quick:
	bash bench/run.sh quick

## bench-check: the peer-comparison harness still builds, and its adapters agree (seconds)
bench-check:
	cd bench/peers && $(GO) vet ./... && $(GO) test -short -count=1 ./...

## fuzz: run every fuzz target for FUZZTIME each
fuzz:
	$(GO) test -run='^$$' -fuzz='^FuzzUnpack$$' -fuzztime=$(FUZZTIME) ./tuple
	$(GO) test -run='^$$' -fuzz='^FuzzResolve$$' -fuzztime=$(FUZZTIME) ./selector
	$(GO) test -run='^$$' -fuzz='^FuzzApply$$' -fuzztime=$(FUZZTIME) ./internal/mutation
	$(GO) test -run='^$$' -fuzz='^FuzzTransaction$$' -fuzztime=$(FUZZTIME) ./kv
	$(GO) test -run='^$$' -fuzz='^FuzzRestore$$' -fuzztime=$(FUZZTIME) ./kv
	$(GO) test -run='^$$' -fuzz='^FuzzHistory$$' -fuzztime=$(FUZZTIME) ./conflict

## lint: gofmt and go vet
lint: fmt vet

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)
