# bouncewatch — build, test, benchmark. "make test" is what CI runs.
SHELL := /bin/bash
GO ?= go

.PHONY: build test fuzz bench bench-scan check

build:
	$(GO) build -o bouncewatch ./cmd/bouncewatch

# Formatting, vet, then every test. The corpus tests print their figures
# ("corpus: ...") and any miss; passing tests' chatter is left out.
test: check
	set -o pipefail; $(GO) test -count=1 -v ./... 2>&1 | grep -vE '^(=== (RUN|PAUSE|CONT|NAME)|--- PASS|PASS$$)'

check:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# Fuzz the decoder (FUZZTIME=10m for a real run).
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./bounce/

# Speed on one core over the corpus, and the 15 MB bounce.
bench:
	$(GO) test -run '^$$' -bench 'DecodeCorpus|DecodeLarge' -benchmem -cpu 1 ./bounce/

# Scan speed and memory over 100,000 bounces and about 1,000,000 Postfix
# log lines (generated once into the temporary directory, then reused);
# the target is under 20 s and 500 MB on a 2-core machine.
bench-scan:
	$(GO) test -run '^$$' -bench '^BenchmarkScan$$' -benchtime 1x -timeout 60m ./diagnose/
