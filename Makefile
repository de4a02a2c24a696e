# bouncewatch — build, test, benchmark. "make test" is what CI runs.
SHELL := /bin/bash
GO ?= go

.PHONY: build test fuzz fuzz-all bench bench-cli bench-scan bench-serve check

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

# The whole decode command on one core, as a user runs it: the binary over
# the corpus's eml/ copied eight times into a temporary directory (files
# read, JSON written), three runs, each printing messages/s ("--stats");
# then the same in process (BenchmarkDecodeCLI). The target is 22,000
# messages/s, ten times the sisimai decoder measured the same way.
CORPUS ?= ../shared/corpus/sisimai
bench-cli: build
	@set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; \
	for i in 1 2 3 4 5 6 7 8; do cp -r $(CORPUS)/eml "$$d/c$$i"; done; \
	echo "decode --json over $$(find "$$d" -type f | wc -l) messages, GOMAXPROCS=1:"; \
	for r in 1 2 3; do GOMAXPROCS=1 ./bouncewatch decode --json --stats "$$d" 2>&1 >/dev/null | grep 'msgs/s'; done
	BOUNCEWATCH_CORPUS=$(abspath $(CORPUS)) $(GO) test -run '^$$' -bench '^BenchmarkDecodeCLI$$' -benchtime 20x -benchmem -cpu 1 ./internal/cli/

# Every fuzz target of the decoder's parsers, one after the other, one
# worker each (FUZZTIME each; 10m for a real run).
fuzz-all:
	for t in FuzzDecode FuzzFlatten FuzzParseHeader FuzzAddress FuzzFallbackText; do \
		$(GO) test -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) -parallel 1 ./bounce/ || exit 1; \
	done

# Scan speed and memory over 100,000 bounces and about 1,000,000 Postfix
# log lines (generated once into the temporary directory, then reused);
# the target is under 20 s and 500 MB on a 2-core machine.
bench-scan:
	$(GO) test -run '^$$' -bench '^BenchmarkScan$$' -benchtime 1x -timeout 60m ./diagnose/

# serve: sustained ingest into SQLite and PostgreSQL (bounces/s), and the
# time from the bounce that makes a surge significant to the webhook.
bench-serve:
	$(GO) test -run '^$$' -bench Ingest -benchtime 20000x ./store/
	$(GO) test -run '^$$' -bench SurgeToWebhook -benchtime 3x ./detect/
	$(GO) test -run '^$$' -bench Startup1M -benchtime 1x -timeout 60m ./detect/
