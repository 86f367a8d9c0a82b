# retrohunt — the two commands on the README's first screen are
# `make demo` and `make test`; keep them working on a fresh machine.
GO        ?= go
BIN       := bin/retrohunt
FUZZTIME  ?= 10s
export GOFLAGS := -buildvcs=false

.PHONY: all build demo test test-race vet fmt-check fuzz bench generate services clean

all: build

build:
	$(GO) build -o $(BIN) ./cmd/retrohunt

# Generate a small deterministic archive (CloudTrail + Azure Activity, with
# planted T1021.008 activity and noise), scan it, print the hits.
demo: build
	rm -rf demo && $(GO) run ./bench/cmd/gencorpus -out demo -size small
	./$(BIN) scan demo/archive --out demo/hits.parquet
	./$(BIN) scan demo/archive --format table --quiet
	@echo "demo: hits written to demo/hits.parquet; ground truth in demo/truth.jsonl"

# The whole suite: vet and format checks, the real S3 (versitygw) and Azure
# (Azurite) servers on loopback, every package's tests, then each fuzz
# target briefly.
test: vet fmt-check services
	RETROHUNT_REQUIRE_SERVERS=1 $(GO) test -count=1 -timeout 20m ./...
	# The portable kernels the assembly ones must agree with.
	$(GO) test -count=1 -tags purego ./scan/ ./scan/fast/ ./scan/decode/ ./scan/inflate/ ./scan/internal/structure/
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

test-race: services
	RETROHUNT_REQUIRE_SERVERS=1 $(GO) test -race -count=1 -timeout 20m ./sources/... ./scan/... ./output/... ./sweep/... ./report/... ./explain/... ./cmd/...

vet:
	$(GO) vet ./...

# Generated files (scan/fast/trigrams.txt); a test in each package fails
# when its file is stale.
generate:
	$(GO) generate ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

services:
	bash .ci/install-test-servers.sh && bash .ci/install-chromium.sh

# Each fuzz target, briefly (go test -fuzz takes one target at a time;
# .ci/fuzz-one.sh says why a bare deadline error is run again).
FUZZ_TARGETS := \
	./scan/rule:FuzzParseFile \
	./scan/decode:FuzzDecode \
	./scan/udm:FuzzMap \
	./scan/udm:FuzzValid \
	./scan/rule/fn:FuzzFunctions \
	./scan:FuzzFastPath \
	./scan/decode:FuzzDecodeUnchecked \
	./scan/decode:FuzzSplitInPlace \
	./scan/inflate:FuzzInflate \
	./scan/internal/structure:FuzzStructure \
	./scan/fast:FuzzMatcher \
	./scan/sigma:FuzzParseAndRequire \
	./scan/sigma:FuzzTree
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		GO=$(GO) bash .ci/fuzz-one.sh $$pkg $$name $(FUZZTIME); \
	done

# Go benchmarks (per record: fast vs reference path), then
# bench/cmd/throughput over the generated "bench" corpus (~0.4 GB
# decompressed, in a temporary directory): decompress-only, the fast
# scan and the reference scan, each measurement in its own process, 3
# rounds. bench/out/RESULTS.md gets the harness's tables (medians,
# per-round spread, ratios, per-path peak RSS), the Go benchmarks and
# the scan's CPU profile; the README's speed table is its "README table"
# section, copied as is (bench/RESULTS.md says which run it came from).
bench:
	mkdir -p bench/out
	$(GO) test -run='^$$' -bench=. -benchmem ./scan/... ./output/... ./bench/... > bench/out/bench.txt; \
	  status=$$?; cat bench/out/bench.txt; exit $$status
	$(GO) run ./bench/cmd/throughput -size bench -rounds 5 -reference -cpuprofile bench/out/cpu.prof -out bench/out/throughput.md
	{ echo "# retrohunt benchmarks"; echo; echo "make bench, $$(date -u +%Y-%m-%dT%H:%MZ)"; echo; \
	  echo "## Throughput: retrohunt scan vs klauspost gzip decompress-only and the reference path"; echo; cat bench/out/throughput.md; echo; \
	  echo "## Go benchmarks"; echo; echo '```'; grep -E '^(Benchmark|ok|goos|cpu)' bench/out/bench.txt; echo '```'; echo; \
	  echo "## CPU profile of the fast scan at 1 worker, last round (go tool pprof -top)"; echo; echo '```'; \
	  $(GO) tool pprof -top bench/out/cpu.prof 2>/dev/null | head -30; echo '```'; } > bench/out/RESULTS.md
	@echo "bench: bench/out/RESULTS.md"

clean:
	rm -rf bin demo
