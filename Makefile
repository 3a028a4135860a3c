# repro: the two set-up commands are `make all` (the main job) and `make test`.
SWIFT   ?= swift
# One set of build flags for the binary and the tests, so `make test` and `make all`
# share one optimized build (-enable-testing changes no arithmetic).
BUILD_FLAGS := -c release -Xswiftc -enable-testing
PROFILE ?= paper
JOBS    ?= 1
REPRO   := .build/release/repro

# What the build and the tests need; `make setup` installs whatever of it is missing and
# .ci/run calls `make setup`, so these lists are the only ones. Debian 12, as root (or
# through sudo). The libraries the build links, and Open MPI's mpirun, which starts the
# ranks of a data-parallel training (`--ranks P`):
LIBRARY_PACKAGES := libopenblas-dev libhdf5-dev libzstd-dev zlib1g-dev libopenmpi-dev openmpi-bin
# What the tests run, installed without recommends (texlive's lmodern and dvisvgm are unused):
# pdflatex compiles the generated LaTeX tables; nginx (WebDAV PUT) serves the remote-cache
# tests of push and pull; python3 serves the HTTP fetch tests, checks the JSON parser and,
# with h5py and hdf5plugin, that repro's HDF5 files open in h5py and the reverse.
TEST_PACKAGES    := texlive-latex-recommended nginx
PYTHON_PACKAGES  := h5py hdf5plugin
# The Slurm executor tests start a one-node cluster on loopback themselves (Debian's
# slurmctld, slurmd, slurm-client and munge, installed by the script when missing). Its
# daemons run as root, so as another user those tests are skipped (with CI=true they fail).
SLURM_CLUSTER    := Tests/Support/slurm-cluster.sh

ROOT    := $(filter 0,$(shell id -u))
APT_GET := $(strip $(if $(ROOT),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get)
# Evaluated only by `packages` (recursive `=`): the packages of a list not installed yet, and
# python3 and its pip when h5py and hdf5plugin cannot be imported and they are missing too.
missing_debian = $(shell for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done)
missing_python = $(shell python3 -c 'import h5py, hdf5plugin' 2>/dev/null && exit; \
	command -v python3 >/dev/null || echo python3; python3 -m pip --version >/dev/null 2>&1 || echo python3-pip)
# apt-get install $(2) of the packages $(1); nothing when $(1) is empty.
apt_install = $(if $(strip $(1)),$(APT_GET) update -qq && $(APT_GET) install -y -qq $(strip $(2) $(1)) >/dev/null)

.PHONY: setup packages build all test format lint smoke-check bench bench-build bench-peer bench-peer-teacher \
	bench-pipeline clean

# Installs what is missing, then builds. `make -n setup` shows what it would install.
setup: packages
	$(MAKE) build

packages:
	$(call apt_install,$(call missing_debian,$(LIBRARY_PACKAGES)))
	$(call apt_install,$(call missing_debian,$(TEST_PACKAGES)) $(missing_python),--no-install-recommends)
	python3 -c 'import h5py, hdf5plugin' 2>/dev/null \
	  || python3 -m pip install --quiet $(PYTHON_PACKAGES) 2>/dev/null \
	  || python3 -m pip install --quiet --break-system-packages $(PYTHON_PACKAGES)
	$(if $(ROOT),$(SLURM_CLUSTER) install,@echo "not root: the Slurm executor tests will be skipped")

# The binary and the test bundles in one build: `swift test` on its own would build the
# package again under its own settings (the whole tree, minutes), so the tests run what
# this built (`--skip-build`).
build:
	$(SWIFT) build $(BUILD_FLAGS) --build-tests

# Regenerates every table of the profile (default: the paper).
all: build
	$(REPRO) all --profile $(PROFILE) -j $(JOBS)

# The whole test suite, optimized: the engine and training tests train real models.
# The format check runs first (seconds).
test: lint build
	$(SWIFT) test $(BUILD_FLAGS) --skip-build

# The toolchain's formatter with .swift-format: `make format` rewrites the tree, `make lint`
# checks it, and that no Swift line is over 120 columns (the formatter cannot split strings).
SWIFT_TREE := Sources Tests Package.swift
format:
	$(SWIFT) format --in-place --recursive --parallel $(SWIFT_TREE)

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(SWIFT_TREE)
	@! LC_ALL=C.UTF-8 grep -rnP --include='*.swift' '^.{121,}' $(SWIFT_TREE) \
	  || { echo "lines over 120 columns (above): wrap them"; exit 1; }

# Hash stability (what CI checks after the tests): the smoke profile reproduces the
# committed lock and tables byte for byte, then `repro verify` recomputes every stage.
smoke-check: build
	$(REPRO) all --profile smoke -j 2
	git diff --exit-code -- artifacts/smoke.lock tables/smoke
	$(REPRO) verify --profile smoke -j 2

# Timing as the PyTorch peer times (bench_torch.py's defaults): 3 untimed steps, then the
# median of 5 repetitions of 3 steps.
BENCH_TIMING := --warmup 3 --steps 3 --reps 5

bench: build
	$(REPRO) bench --model cifar_resnet56_v1 --batch 128 --threads 2 $(BENCH_TIMING) --json

# repro beside the peers (../shared/peers, set up as its README says): PyTorch, default and
# channels-last, and the paper's own MXNet + GluonCV, alternated three times: this
# machine's speed drifts, so compare runs made together. Each reports the median of 5
# timed repetitions after 3 untimed steps; repro's second line is its share of the FMA peak.
# ISA=avx2 on an AVX-512 machine compares AVX2 code on both sides: repro's REPRO_ISA=avx2
# build (in .build-avx2) and the peers' oneDNN and ATen kernels held to AVX2.
PEER         ?= ../shared/peers
PEER_PYTHON  ?= /tmp/torch-peer/bin/python
MXNET_PYTHON ?= /tmp/mxnet-peer/bin/python
ISA          ?=
BENCH_REPRO  := $(if $(ISA),$(CURDIR)/.build-$(ISA)/release/repro,$(CURDIR)/$(REPRO))
PEER_ENV     := OMP_NUM_THREADS=2 $(if $(filter avx2,$(ISA)),ONEDNN_MAX_CPU_ISA=AVX2 DNNL_MAX_CPU_ISA=AVX2 \
	MKLDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2)
TORCH_BENCH  := $(PEER_ENV) $(PEER_PYTHON) $(abspath $(PEER))/bench_torch.py
# from /tmp: GluonCV imports a folder named torch when the working directory has one
MXNET_BENCH  := cd /tmp && $(PEER_ENV) $(MXNET_PYTHON) $(abspath $(PEER))/bench_mxnet.py

bench-build: build
	$(if $(ISA),REPRO_ISA=$(ISA) $(SWIFT) build -c release --scratch-path .build-$(ISA) --product repro)

bench-peer: bench-build
	for round in 1 2 3; do \
	  $(BENCH_REPRO) bench --model cifar_resnet56_v1 --batch 128 --threads 2 $(BENCH_TIMING) | tail -2; \
	  $(TORCH_BENCH) --model resnet56 --batch 128 --mode train --threads 2 | tail -1; \
	  $(TORCH_BENCH) --model resnet56 --batch 128 --mode train --threads 2 --channels_last | tail -1; \
	  $(TORCH_BENCH) --model resnet56 --batch 128 --mode eval --threads 2 | tail -1; \
	  ($(MXNET_BENCH) --model cifar_resnet56_v1 --batch 128 --mode train | tail -1); \
	  ($(MXNET_BENCH) --model cifar_resnet56_v1 --batch 128 --mode eval | tail -1); \
	done

# The teacher side by side: ResNeXt29 16x64d at batch 16, the median of three one-step
# repetitions after one warm-up step each (~3 min a round here), alternated three times.
bench-peer-teacher: bench-build
	for round in 1 2 3; do \
	  $(BENCH_REPRO) bench --model cifar_resnext29_16x64d --batch 16 --threads 2 --warmup 1 --steps 1 --reps 3 \
	    | tail -2; \
	  $(TORCH_BENCH) --model resnext29_16x64d --batch 16 --mode train --threads 2 --warmup 1 --steps 1 --reps 3 \
	    | tail -1; \
	  ($(MXNET_BENCH) --model cifar_resnext29_16x64d --batch 16 --mode train --warmup 1 --steps 1 --reps 3 | tail -1); \
	done

# `repro all` with everything up to date, and `repro status` on 1,000 generated stages.
bench-pipeline: build
	bash Tests/PipelineTests/bench-pipeline.sh $(REPRO)

clean:
	rm -rf .build
