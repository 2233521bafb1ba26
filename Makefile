# narrator — every target sets up .venv first, so a fresh checkout needs only Python 3.11+.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
COQUI  := $(VENV)/.installed-coqui
DEMO   := samples/harbour-ferry-fares.html
# torch and torchaudio must come from one release; this pair installs from PyPI.
TORCH  := torch==2.8.0 torchaudio==2.8.0

.PHONY: demo test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $@

# The Coqui and Ray extras (several GB): the suite runs a real Coqui model and a local Ray.
$(COQUI): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,coqui,ray]' $(TORCH)
	@touch $@

## demo: narrate a sample article to build/demo.mp3 with the embedded default voice
demo: $(STAMP)
	@mkdir -p build
	$(BIN)/narrate $(DEMO) -o build/demo.mp3

## test: lint, type-check, then the whole test suite
test: lint $(COQUI)
	NARRATOR_TEST_REQUIRE_COQUI=1 NARRATOR_TEST_REQUIRE_RAY=1 NARRATOR_TEST_REQUIRE_ASR=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache *.egg-info

## bench: time narrate (cold, warm, re-mastered) against the bare Piper engine on a long read
bench: $(STAMP)
	$(BIN)/python -m tests.bench
