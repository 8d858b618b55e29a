# DevLog. `make run` serves the app; `make test` runs every check. Both install what is missing
# (and skip what is present), so they work on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Tools of `make dev` only (cargo-leptos's watch mode); `make run` and `make test` build with
# `cargo xtask build` (xtask/), which needs neither.
CARGO_LEPTOS_VERSION := 0.3.10
# The wasm-bindgen CLI must equal the crate in Cargo.lock: read it from there.
WASM_BINDGEN_VERSION = $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/^version = "\(.*\)"$$/\1/p;q;}' Cargo.lock)
PREFIX ?= $(HOME)/.local
export PATH := $(CURDIR)/end2end/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# mimalloc commits arena memory lazily: same speed, ~10 MB less resident memory at idle.
export MIMALLOC_ARENA_EAGER_COMMIT ?= 0

.PHONY: help run install dev test test-unit lint fmt bench build tools wasm-target cargo-leptos \
	wasm-bindgen node-deps chromium curl e2e

help:
	@echo "make run    build the release site and serve it on http://127.0.0.1:3000"
	@echo "make install  put the devlog binary (site included) in $(PREFIX)/bin"
	@echo "make test   formatting, lints, unit/integration tests and the browser suite"
	@echo "make dev    watch mode for development"
	@echo "make bench  print performance figures"
	@echo "make fmt | make lint | make test-unit | make e2e"

## Tools ---------------------------------------------------------------------------------------

tools: wasm-target node-deps

wasm-target:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown \
	  || rustup target add wasm32-unknown-unknown

cargo-leptos:
	@cargo leptos --version 2>/dev/null | grep -qF "$(CARGO_LEPTOS_VERSION)" \
	  || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads

# Not --locked: its lock names a crate newer than the registry here serves.
wasm-bindgen:
	@test -n "$(WASM_BINDGEN_VERSION)" || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
	@wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $(WASM_BINDGEN_VERSION)" \
	  || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force

# Playwright, wasm-opt (npm binaryen: Debian's binaryen silently breaks the release wasm) and
# the real agent CLIs, at the versions the lock pins. `npm install --no-save`, not `npm ci`: Qwen
# Code's clipboard addon names optional packages for other platforms that the registry does
# not have, which `npm ci` refuses as a lock out of sync; install skips them, changes nothing.
node-deps: end2end/node_modules/.package-lock.json
end2end/node_modules/.package-lock.json: end2end/package-lock.json
	cd end2end && npm install --no-save --no-audit --no-fund
	touch $@

# Webhooks are posted with curl (engine/src/webhooks.rs); its tests post to 127.0.0.1.
curl:
	@command -v curl >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y curl; \
	  else echo "DevLog's webhooks need curl: sudo apt-get install -y curl" >&2; exit 1; fi; }

chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update && apt-get install -y chromium; \
	  else echo "make test needs Debian's chromium package: sudo apt-get install -y chromium" >&2; exit 1; fi; }

## Build and run -------------------------------------------------------------------------------

# The site (wasm split per page, wasm-bindgen, wasm-opt, precompressed .br/.gz, in a folder
# named by its content hash) and then the devlog binary with that site inside: xtask/src/.
build: tools
	cargo xtask build

run: build
	./target/release/devlog

# One file: started from any folder it serves the app (its data in ~/.local/share/devlog).
install: build
	install -D -m 755 target/release/devlog $(PREFIX)/bin/devlog
	@echo "installed $(PREFIX)/bin/devlog"

dev: wasm-target cargo-leptos wasm-bindgen node-deps
	cargo leptos watch --split -- --site-root target/dev-site

## Checks --------------------------------------------------------------------------------------

fmt:
	cargo fmt --all

# Each crate in its real configuration: app with ssr natively, frontend for wasm32.
lint: wasm-target
	cargo fmt --all -- --check
	cargo clippy -p model -p engine -p app -p server -p standin -p testkit -p xtask --features app/ssr --all-targets -- -D warnings
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	RUSTDOCFLAGS="-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links" \
	  cargo doc --no-deps -p model -p engine -p app -p server -p standin -p testkit -p xtask --features app/ssr

test-unit: curl
	cargo test -p model -p engine -p app -p server -p standin -p testkit -p xtask --features app/ssr

# The suite also runs the binary `make install` puts in a prefix (end2end/tests/installed.spec.ts).
e2e: build chromium
	cargo build --release -p standin
	$(MAKE) --no-print-directory install PREFIX=$(CURDIR)/target/e2e-prefix
	cd end2end && npx playwright test

# Debian's chromium (the browser suite's alone) downloads and installs while the checks
# compile; its log is shown if it fails.
test: tools curl
	@mkdir -p target
	@{ time $(MAKE) --no-print-directory chromium; } > target/chromium-install.log 2>&1 & \
	  chromium=$$!; \
	  $(MAKE) --no-print-directory lint test-unit; \
	  wait $$chromium || { cat target/chromium-install.log >&2; exit 1; }
	$(MAKE) --no-print-directory e2e

# The server's figures, then the browser's (Playwright in Chromium, end2end/bench/).
bench: build chromium
	cargo build --release -p standin
	cargo bench -p server --bench figures -- --site-root $(CURDIR)/target/site
	cargo bench -p server --bench stream
	cd end2end && npx playwright test -c bench.config.ts
