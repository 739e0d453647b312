# solder — developer targets. Every tool comes from node_modules (npm ci).
BIN := node_modules/.bin
BUN := $(BIN)/bun
DENO := $(BIN)/deno

.PHONY: all run docs test test-bun test-deno test-e2e check build gen check-gen clean ui bench bench-quick release deb pack fuzz

all: build

# A linked node_modules (e.g. a git worktree sharing another checkout's install) is left alone:
# npm ci would empty the install it points to.
node_modules: package-lock.json
	@if [ -L node_modules ]; then echo "node_modules is a link; not running npm ci through it"; else npm ci; fi
	@touch node_modules

## run: the gateway on the built-in default pipeline (or CONFIG=path/to/file.alloy)
run: node_modules ui
	$(BUN) src/main.ts run $(CONFIG)

## test: type check, generated-code check, the unit suite on Bun and on Deno, then end-to-end tests
test: node_modules check check-gen test-bun test-deno test-e2e

# Every test folder but the end-to-end one; e2e tests need the built binary.
UNIT_DIRS := $(filter-out tests/e2e/ tests/helpers/,$(wildcard tests/*/))
# The runtime-neutral part of the suite, which must also pass on Deno.
DENO_DIRS := $(wildcard tests/syntax tests/runtime tests/proto tests/otlp tests/ottl)

test-bun: node_modules ui
	$(BUN) test --timeout 60000 $(UNIT_DIRS)

test-deno: node_modules
	$(DENO) test -A $(DENO_DIRS)

test-e2e: node_modules build release
	$(BUN) test --timeout 120000 tests/e2e

## check: type check everything
check: node_modules ui
	$(BIN)/tsc --noEmit -p .

## ui: bundle the web UI (src/ui/app) into src/ui/assets.gen.ts, which the binary embeds
ui: node_modules
	$(BUN) src/ui/build.ts

## build: dist/solder, one self-contained executable
build: node_modules ui
	$(BUN) build --compile --minify --sourcemap --bytecode --format=esm src/main.ts --outfile dist/solder

## release: dist/release/solder-linux-{x64,arm64} (+ .tar.gz, SHA256SUMS), cross-compiled offline; prints sizes and start-up times
release: node_modules ui
	bash scripts/release.sh

## deb: dist/release/solder_<version>_{amd64,arm64}.deb (systemd unit, /etc/default/solder, the solder user)
deb: release
	bash scripts/deb.sh

## pack: dist/solder-<version>.tgz, the npm package that `bunx solder` runs
pack: node_modules ui
	mkdir -p dist && npm pack --pack-destination dist

## docs: regenerate the component reference in README.md from the registry
docs: node_modules
	$(BUN) scripts/docs.ts

## bench: throughput, CPU, RSS and latency of the seed pipeline (gateway on CPU 0, load on CPU 1) → docs/benchmarks.md (~10 min)
bench: node_modules build
	$(BUN) scripts/bench/run.ts

## bench-quick: the same for two scenarios with short runs (~1.5 min) → dist/benchmarks-quick.md
bench-quick: node_modules build
	$(BUN) scripts/bench/run.ts --quick --out=dist/benchmarks-quick.md

## fuzz: every fuzz target for FUZZ_SECONDS each (default 300), larger sizes than CI; FUZZ_SEED=n FUZZ_TARGET=name to pin
FUZZ_SECONDS ?= 300
fuzz: node_modules
	$(BUN) scripts/fuzz/run.ts --seconds $(FUZZ_SECONDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED)) $(if $(FUZZ_TARGET),--target $(FUZZ_TARGET))

## gen: regenerate gen/ from proto/
gen: node_modules
	bash scripts/gen.sh

check-gen: node_modules
	bash scripts/check-gen.sh

clean:
	rm -rf dist data-solder test-artifacts src/ui/assets.gen.ts
