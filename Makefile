# Everything a fresh clone needs: `make demo` runs the main job, `make test` the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DIR := out/demo

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	# torch==2.13.0 is pinned in pyproject: it resolves to the CPU wheel, not a CUDA build.
	$(BIN)/python -m pip install -q -e '.[dev,mano]'
	# basic-pitch carries its transcription model; --no-deps skips its tensorflow pin.
	$(BIN)/python -m pip install -q --no-deps 'basic-pitch==0.4.0'
	# transkun (the default transcriber) carries its weights; --no-deps skips torchaudio,
	# whose torch pin is not ours (s2c_core/music/transkun_notes.py builds the filterbank).
	$(BIN)/python -m pip install -q --no-deps 'transkun==2.0.1'
	# FluidSynth + a GM soundfont render MIDI to audio; optional (a built-in synth is used
	# without them), so a machine without apt or root just skips this step.
	# assimp-utils: a third-party FBX reader for the retargeting export test (skipped without).
	@{ command -v fluidsynth >/dev/null && command -v assimp >/dev/null; } || { command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ] \
		&& apt-get update -qq && apt-get install -y -qq --no-install-recommends \
		fluidsynth fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-small assimp-utils \
		>/dev/null; } || echo "note: FluidSynth/assimp not installed"
	@touch $(STAMP)

demo: $(STAMP)
	@mkdir -p $(DEMO_DIR)
	$(BIN)/s2c generate assets/example.mid --out $(DEMO_DIR)/take.npz \
		--blend $(DEMO_DIR)/scene.blend --fbx $(DEMO_DIR)/scene.fbx --overwrite
	@echo "Demo outputs:"
	@echo "  HandMotion  $(DEMO_DIR)/take.npz"
	@echo "  Blender     $(DEMO_DIR)/scene.blend   (open in Blender 4.4+, press play)"
	@echo "  FBX         $(DEMO_DIR)/scene.fbx"

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# one BLAS/OpenMP thread: the tests use tiny models, where more threads only contend
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache *.egg-info
