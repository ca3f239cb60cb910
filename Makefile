# etcdgen's tasks. `make test` is the one test command; `make run` builds the bundled example.
SHELL := /bin/bash
.DEFAULT_GOAL := build
NODE_MODULES := node_modules/.package-lock.json
SOURCES := $(shell find src test schemas -name '*.ts' -o -name '*.json' 2>/dev/null) tsconfig.json
EXAMPLE := fixtures/homelab/cluster.toml

.PHONY: build test run golden boot-test clean test-deps

# npm ci when the dependencies are missing or older than the lock file.
$(NODE_MODULES): package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

dist/.built: $(NODE_MODULES) $(SOURCES)
	npx tsc -p .
	@touch $@

build: dist/.built

# All tests: unit, bad input, openssl checks, and the end-to-end tests against real etcd and
# cloud-init. Writes the runner's output to .tmp/test.log as well.
# As root, the test dependencies are installed first (a no-op once they are there), so that on a
# fresh Debian 12 machine `make test` is all it takes; otherwise the tests that need a missing
# component fail and say how to install it.
test: build
	@if [ "$$(id -u)" -eq 0 ]; then scripts/install-test-deps; else echo "make test: not root; the end-to-end tests need root and sudo make test-deps"; fi
	@mkdir -p .tmp
	@set -o pipefail; NO_COLOR=1 npx uvu dist/test '\.test\.js$$' 2>&1 | tee .tmp/test.log

run: build
	node dist/src/bin.js build $(EXAMPLE) -o out

# Rewrite the golden files under fixtures/ from the current code; review `git diff fixtures` after.
golden: build
	NO_COLOR=1 UPDATE_GOLDEN=1 npx uvu dist/test 'golden\.test\.js$$'

# Boots the output in real Debian 12 guests (systemd-nspawn, cloud-init) and checks the cluster.
# Root only. OUT=dir boots an output folder you built yourself instead of the built-in cases.
boot-test: build
	@mkdir -p .tmp
	@set -o pipefail; node dist/test/boot/boot-test.js $(if $(OUT),--out $(OUT)) 2>&1 | tee .tmp/boot-test.log

# Root only: Debian's packages the tests run (etcd 3.4, cloud-init, openssl, ...) and etcd 3.5
# from Debian trixie, unpacked into .cache/etcd/ beside the system's 3.4 (not installed over it).
test-deps:
	scripts/install-test-deps

clean:
	rm -rf dist .tmp out
