# mnist-claims: published MNIST-MLP claims as seeded, reproducible regression tests.
#
#   make reproduce   the main job: every claim of the five documents, N seeds, verdicts -> reports/
#   make test        build + the fast test tier (what CI runs)
#
# Both install what they need (make setup) first.

SHELL        := /bin/bash
DOTNET       ?= dotnet
CONFIG       ?= Release
BUILD_DIR    ?= build/native
TORCH_PREFIX ?=
SEEDS        ?= 20
JOBS         ?= 2
SHARDS       ?= 4
ARGS         ?=
REPORT_ARGS  ?=
# The harness pins OPENBLAS_NUM_THREADS=1, ATEN_CPU_CAPABILITY=avx2 and OPENBLAS_CORETYPE=Haswell itself before
# libtorch loads (src/Torch/KernelPins.cs; README, "Profiles"); a value set here or in the shell is respected.
HARNESS      := $(DOTNET) run --no-build -c $(CONFIG) --project src/Harness --
TEST_FLAGS   := -c $(CONFIG) --no-build --logger "console;verbosity=normal"

.PHONY: all setup setup-test native build test test-unit test-integration test-browser test-slurm regress reproduce reproduce-slurm report bench accept diff claims clean gpu-bundle help

all: build

help:
	@sed -n '1,8p' Makefile

setup:
	bash scripts/setup.sh all

# What the fast tier needs (no browser): libtorch, OpenBLAS, python3-torch, cmake, DuckDB for interop, MNIST.
setup-test:
	bash scripts/setup.sh test

# The C-ABI shim over libtorch. TORCH_PREFIX overrides where CMake looks for TorchConfig.cmake
# (e.g. a PyTorch 2.x install: python -c 'import torch; print(torch.utils.cmake_prefix_path)').
native:
	cmake -S src/Native -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(if $(TORCH_PREFIX),-DCMAKE_PREFIX_PATH=$(TORCH_PREFIX)) > /dev/null
	cmake --build $(BUILD_DIR) -j2

build: native
	$(DOTNET) build MnistClaims.sln -c $(CONFIG) --nologo -v quiet -clp:ErrorsOnly

# Test categories (README, "Tests and tiers"): Integration = needs the MNIST files, python3-torch, DuckDB (node) or
# Chromium; Browser = needs Chromium (also Integration); Full / Reproduce = the long tiers; Fast = the Regression
# project's short tier. Each filter below names only categories some test has.
FAST_FILTER := Category!=Full&Category!=Reproduce&Category!=Browser

# Fast tier: unit tests + exact claims, consistency checks and short deterministic slices of every
# experiment verified against this CPU profile's committed baselines.
test: setup-test build
	bash scripts/run-tests.sh "$(FAST_FILTER)"

# The unit tests that need nothing but the build (no MNIST, python3-torch, DuckDB or Chromium).
test-unit: build
	$(DOTNET) test tests/Unit $(TEST_FLAGS) --filter "Category!=Integration"

# The rest of the fast tier: the tests that need MNIST, python3-torch or DuckDB (both projects).
test-integration: setup-test build
	bash scripts/run-tests.sh "Category=Integration&$(FAST_FILTER)"

# The HTML report in headless Chromium.
test-browser: build
	bash scripts/setup.sh report
	bash scripts/run-tests.sh "Category=Browser"

# The Slurm integration test alone (also in the fast tier): a single-node cluster started by the test, 2 shards.
test-slurm: setup-test build
	bash scripts/run-tests.sh "Category=Slurm"

# Full tier: every experiment at its documented length, one seed, against the baseline.
regress: setup-test build
	bash scripts/run-tests.sh "Category=Full"

# A flag given twice is a usage error, so --seeds/--jobs in ARGS replace SEEDS/JOBS instead of repeating them.
# The main job: all claims with $(SEEDS) seeds; verdict table by document -> reports/verdicts.{md,json}, then the HTML report.
reproduce: setup build
	$(HARNESS) reproduce $(if $(filter --seeds --seeds=%,$(ARGS)),,--seeds $(SEEDS)) $(if $(filter --jobs --jobs=%,$(ARGS)),,--jobs $(JOBS)) $(ARGS)
	$(HARNESS) report $(REPORT_ARGS)

# The main job sharded on Slurm (README, "Sharding: Slurm and CI"): a job array of $(SHARDS) shards and a dependent
# merge-and-judge job, submitted and waited for. LOCAL_CLUSTER=1 starts a single-node cluster on this machine first.
reproduce-slurm: setup build
	SHARDS=$(SHARDS) SELECTION="--seeds $(SEEDS) $(ARGS)" bash scripts/slurm/submit.sh

report: build
	$(HARNESS) report $(REPORT_ARGS)

claims: build
	$(HARNESS) claims $(ARGS)

bench: setup build
	$(HARNESS) bench $(ARGS)

# Accept received snapshots: make accept ID=<experiment-id> [PROFILE=...] | make accept ID=--all
accept: build
	$(HARNESS) accept $(ID) $(if $(PROFILE),--profile $(PROFILE))

diff: build
	$(HARNESS) diff $(A) $(B) $(ARGS)

gpu-bundle: build
	bash scripts/gpu-bundle.sh

clean:
	rm -rf $(BUILD_DIR) src/*/bin src/*/obj tests/*/bin tests/*/obj
