# echotrace — make targets. `make demo` runs the main job offline; `make test` runs the tests.
GO      ?= go
BIN     ?= bin/echotrace
PKGS    ?= ./...
DEMO    ?= demo-study

.PHONY: build test test-beam test-race bench lint golden demo fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/echotrace

## test: the whole suite (what CI runs)
test:
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l cmd internal); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) test -timeout 20m $(PKGS)

## test-beam: the Apache Beam pipeline, compiled only with the beam tag (docs/pipeline.md)
test-beam:
	$(GO) vet -tags beam ./internal/pipeline ./internal/cli ./cmd/echotrace
	$(GO) test -tags beam -count=1 ./internal/pipeline/

test-race:
	$(GO) test -race -timeout 30m $(PKGS)

## bench: the budget benchmarks of DESIGN §6 (one run each; see docs/operations.md)
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m $(PKGS)

lint:
	$(GO) vet $(PKGS)
	@test -z "$$(gofmt -l cmd internal)" || (gofmt -l cmd internal; exit 1)

## golden: rewrite golden files after an intended output change
golden:
	$(GO) test $(PKGS) -run Golden -update

## fuzz: a short fuzzing pass over every parser
fuzz:
	@for pkg in $$($(GO) list ./internal/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 20s $$pkg || exit 1; \
	  done; \
	done

## demo: simulate a world, import, analyse and report — no network needed
demo: build
	$(BIN) demo $(DEMO)

clean:
	rm -rf bin $(DEMO)
