# monban — the two commands a newcomer needs are `make dev` and `make test`.
SHELL := /bin/bash
GO ?= go
GO_LAMBDA_FLAGS := -tags lambda.norpc -trimpath -buildvcs=false -ldflags="-s -w"
# Lambda functions: the folders under functions/, then the trigger functions of the table in
# internal/triggers (its test holds this line and the build-<Resource> targets to it).
FUNCTIONS := api authorizer sample-api pre-sign-up pre-token-generation

.PHONY: dev test unit race fuzz deps build sizes validate fmt vet clean

## dev: run the local stack (emulator, API, the demo or SITE_DIR=folder / SITE_PROXY=url) and print its URL
dev: deps
	$(GO) run ./cmd/monban-dev $(if $(SITE_DIR),-site-dir '$(SITE_DIR)') $(if $(SITE_PROXY),-site-proxy '$(SITE_PROXY)')

## test: install what the tests need, then run every test and validate the template
test: deps python-tools vet client
	$(GO) test -count=1 ./...
	bash scripts/validate-template.sh

## client: the JavaScript client's tests (node --test; includes tsc over its declarations)
# Phony on its own line: the client/ folder would otherwise count as an up-to-date target.
.PHONY: client
client: deps
	node --test --test-reporter=dot client/test/*.test.mjs

## unit: only the fast tests (no emulator, no Lambda binaries built)
unit:
	$(GO) test -short ./...

## race: the fast tests under the race detector (CI runs it)
race:
	$(GO) test -race -short -count=1 ./...

## mutation: mutation testing of the security core with a pinned gremlins (minutes; not in test)
.PHONY: mutation
mutation:
	@bash scripts/mutation.sh

## fuzz: every fuzz target for FUZZTIME each (default 10s; CI runs it)
FUZZTIME ?= 10s
fuzz:
	@bash scripts/fuzz.sh $(FUZZTIME)

## deps: the pinned emulator (npm ci from local/package-lock.json) and Go modules; make test
## also needs python-tools (make dev does not)
deps: local/node_modules/.package-lock.json
	$(GO) mod download

# moto_server, cfn-lint and aws-sam-translator at requirements-test.txt's pins: those on PATH
# when they match, else installed into the project venv, whose bin/ comes first on PATH in
# every recipe (a folder that does not exist is simply skipped).
PYTHON_TOOLS_VENV := $(CURDIR)/.venv-test
export PATH := $(PYTHON_TOOLS_VENV)/bin:$(PATH)
.PHONY: python-tools
python-tools:
	@PYTHON_TOOLS_VENV='$(PYTHON_TOOLS_VENV)' bash scripts/python-tools.sh

local/node_modules/.package-lock.json: local/package.json local/package-lock.json
	cd local && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './local/*')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## build: the Lambda binaries SAM deploys (arm64, provided.al2023), in bin/<function>/bootstrap
build:
	@for f in $(FUNCTIONS); do \
	  dir=functions/$$f; [ -d $$dir ] || dir=triggers/$$f; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o bin/$$f/bootstrap ./$$dir || exit 1; \
	  printf '%-22s %s bytes\n' $$f $$(stat -c %s bin/$$f/bootstrap); \
	done

## sizes: build, then print the binaries' sizes as a markdown table (README)
sizes: build
	@bash scripts/binary-sizes.sh bin

## bench: monban beside its Node references in interleaved rounds, one markdown table with medians, spreads and ratios from one run (BENCH_ROUNDS=7 BENCHTIME=300ms COLDSTARTS=5, see bench/run.sh; minutes; not part of test)
# Phony on its own line: the bench/ folder would otherwise count as an up-to-date target.
.PHONY: bench
bench:
	@bash bench/run.sh

## load: GET /auth/session under load on the local stack and on a minimal Auth.js server, side by side:
## requests/s, p50/p99, CPU per request, RSS at concurrency 1–128 (LOAD_DURATION=5s per step; not in test)
.PHONY: load
load: deps
	@$(GO) run ./bench/load

validate: python-tools
	bash scripts/validate-template.sh

## publish: upload SITE_DIR to the stack's site bucket, refresh CloudFront (make publish SITE_DIR=dist [STACK=monban-dev] [REGION=...])
.PHONY: publish
publish:
	bash scripts/publish-site.sh --stack "$(or $(STACK),monban-dev)" $(if $(REGION),--region "$(REGION)") "$(SITE_DIR)"

# Targets `sam build` calls (BuildMethod: makefile); ARTIFACTS_DIR is set by SAM.
build-ApiFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/api

build-AuthorizerFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/authorizer

build-SampleApiFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./functions/sample-api

build-PreSignUpFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./triggers/pre-sign-up

build-PreTokenGenerationFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build $(GO_LAMBDA_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" ./triggers/pre-token-generation

clean:
	rm -rf bin .aws-sam
