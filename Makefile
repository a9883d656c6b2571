# natsaudit — see README.md
GO ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: all build test lint vet staticcheck fmt-check demo

all: build test

build:
	$(GO) build -o bin/natsaudit ./cmd/natsaudit

## test: everything CI runs (Go tests, Rego rule tests, script tests, live tests, lint)
test: fmt-check vet
	$(GO) test ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "not gofmt'ed:"; echo "$$out"; exit 1; fi

staticcheck:
	$(GO) run $(STATICCHECK) ./...

lint: vet staticcheck fmt-check
