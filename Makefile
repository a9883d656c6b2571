# natsaudit — see README.md
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test rego-lint rego-fmt lint vet staticcheck fmt-check demo sarif-lint sarif-tool shellcheck-tool browser-tool bench mutation mutation-rego mutation-go mutation-fast

all: build test

build:
	$(GO) build -o bin/natsaudit ./cmd/natsaudit

## test: everything CI runs (Go tests, Rego rule tests, script tests, live tests, lint)
test: fmt-check vet staticcheck sarif-tool shellcheck-tool browser-tool
	$(GO) test ./...
	@$(MAKE) --no-print-directory sarif-lint
	@$(MAKE) --no-print-directory mutation-fast

## mutation: Rego and Go mutation testing (mutation-rego, then mutation-go);
## prints both scores. Not part of make test (an hour and more on 2 shared
## cores); docs/testing.md.
mutation: mutation-rego mutation-go

## mutation-rego: Rego mutation testing of the whole rule catalog (tools/regomut):
## every condition of every rule file deleted, negated and its comparison
## flipped, one at a time, against that package's Rego tests; prints the
## survivors and the score (docs/testing.md). Minutes, not part of make test.
MUTATION_MIN_SCORE ?= 84
mutation-rego:
	$(GO) run ./tools/regomut -min-score $(MUTATION_MIN_SCORE)

## mutation-go: Go mutation testing of the core packages with Gremlins
## (pinned in tools/gomut, run with go run, configured by .gremlins.yaml):
## efficacy per package, the survivors, exit 1 when a package is under
## MUTATION_GO_MIN_EFFICACY. MUTATION_GO_PKGS=internal/score,... for some
## packages; tools/gomut -recheck re-runs only the last run's survivors.
## Slow: each mutant builds and tests its package (docs/testing.md).
MUTATION_GO_MIN_EFFICACY ?= 80
MUTATION_GO_PKGS ?=
mutation-go:
	$(GO) run ./tools/gomut -min-efficacy $(MUTATION_GO_MIN_EFFICACY) -pkgs "$(MUTATION_GO_PKGS)"

## mutation-fast: a fixed seeded sample of the catalog's mutants, plus every
## mutant of the rule files changed since the merge-base with origin/main (or
## main; at most MUTATION_FAST_CHANGED_MAX of them), with a minimum score, for
## make test (under a minute on 2 cores; the sample alone on a clone without
## those refs)
MUTATION_FAST_SAMPLE ?= 250
MUTATION_FAST_MIN_SCORE ?= 82
MUTATION_FAST_CHANGED_MAX ?= 400
mutation-fast:
	$(GO) run ./tools/regomut -sample $(MUTATION_FAST_SAMPLE) -seed 1 -changed -changed-max $(MUTATION_FAST_CHANGED_MAX) -min-score $(MUTATION_FAST_MIN_SCORE)

## rego-lint: `opa fmt --list` and `opa check --strict` on rules/ with the OPA
## module in go.mod, plus the catalog's style checks (rules/lint_test.go);
## part of go test ./... and so of make test
rego-lint:
	$(GO) test ./rules -run 'TestRego(Formatted|CheckStrict|Style|InputSchema)|TestRulesNameFacets$$' -count=1

## rego-fmt: format rules/ in place as `opa fmt -w` does
rego-fmt:
	$(GO) run ./tools/regofmt rules

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...

lint: vet staticcheck fmt-check

## sarif-lint: Microsoft's SARIF validator with GitHub's ingestion rules on the
## example repo's SARIF and the golden files (see tools/sarif-lint/README.md)
sarif-lint:
	@mkdir -p bin/sarif-lint
	$(GO) run ./cmd/natsaudit scan testdata/repos/sahool --format sarif --output bin/sarif-lint/sahool.sarif --fail-on never
	tools/sarif-lint/lint.sh bin/sarif-lint/sahool.sarif internal/report/testdata/golden/*.sarif
	@if tools/sarif-lint/lint.sh tools/sarif-lint/testdata/broken.sarif >/dev/null 2>&1; then \
		echo "sarif-lint: the validator accepted testdata/broken.sarif: it is not checking"; exit 1; fi

## sarif-tool: install the pinned validator (its SARIF schema is used by go test too)
sarif-tool:
	@tools/sarif-lint/install.sh

## shellcheck-tool: shellcheck, for the tests that lint the scripts of
## action.yml and the CI recipes (examples/ci). Installed with apt-get when
## missing and this runs as root on Debian/Ubuntu; otherwise those tests skip,
## saying so (NATSAUDIT_REQUIRE_SHELLCHECK=1, set by .ci/run, fails them).
shellcheck-tool:
	@command -v shellcheck >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing shellcheck (apt-get)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get install -y -qq shellcheck >/dev/null 2>&1 || \
				{ apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; }; \
		else \
			echo "shellcheck is not installed: the script lint tests in examples/ci will skip (install it: apt-get install shellcheck)"; \
		fi; }

## browser-tool: Debian's chromium, for the test that loads the HTML report
## in a headless browser (internal/report/browser_test.go). Installed with
## apt-get when missing, as root or through sudo; otherwise that test skips,
## saying so (NATSAUDIT_REQUIRE_BROWSER=1, set by .ci/run, fails it).
browser-tool:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
		sudo=""; \
		if [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; fi; \
		if command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || [ -n "$$sudo" ]; }; then \
			echo "installing chromium (apt-get)"; \
			export DEBIAN_FRONTEND=noninteractive; \
			$$sudo apt-get install -y -qq chromium >/dev/null 2>&1 || \
				{ $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium >/dev/null; }; \
		else \
			echo "chromium is not installed and cannot be (no apt-get, or not root and no sudo): the browser test of the HTML report will skip (install it: apt-get install chromium)"; \
		fi; }

## bench: synthetic repos of 10-5,000 config files, Go benchmarks (start-up,
## discovery, parsing, evaluation, rendering, live collection), the built
## binary timed end to end, and Conftest on the same compose files; prints
## tables (see docs/performance.md). Not part of make test.
bench:
	@GO=$(GO) tools/bench/run.sh
