# Leerwijzer — `make run` sets up and runs the helpdesk; `make test` sets up and runs the tests.
# Every step says what it does and how long it took, and is redone only when its inputs change.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
STAMPS    := .stamps
LOCK_HASH := $(shell sha256sum requirements.lock | cut -c1-12)
VENV_OK   := $(STAMPS)/venv-$(LOCK_HASH)
DATA_HASH := $(shell scripts/fingerprint.sh config.yml bot/domain bot/nlu data)
MODEL     := models/leerwijzer-$(DATA_HASH).tar.gz
STEP      := scripts/step.sh
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help setup run test lint validate test-unit test-stories test-e2e train db admin lock clean bench nlu-report probes eval-oos eval-conversations

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV_OK): requirements.lock
	@PY=$$(scripts/find-python310.sh) || exit 1; \
	$(STEP) "Creating $(VENV) with $$PY" bash -c "rm -rf $(VENV) && $$PY -m venv $(VENV) && $(BIN)/pip install -q wheel"
	@$(STEP) "Installing the locked packages (about 3 minutes the first time)" \
		$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	@rm -f $(STAMPS)/venv-*; mkdir -p $(STAMPS) && touch $@

setup: $(VENV_OK) ## Create .venv with Python 3.10 from the lock (only when the lock changed)

$(MODEL): $(VENV_OK)
	@$(STEP) "Training the Rasa model (data changed: $(DATA_HASH))" \
		$(BIN)/rasa train --config config.yml --domain bot/domain --data data \
		--out models --fixed-model-name leerwijzer-$(DATA_HASH) --quiet

train: $(MODEL) ## Train the model (only when config, domain or data changed)

db: $(VENV_OK) ## Create and migrate the database, seed the sample catalogue on first run
	@$(STEP) "Preparing the catalogue database" $(BIN)/python -m offer_catalogue init
	@$(STEP) "Preparing the helpdesk tables" $(BIN)/python -m helpdesk migrate
	@$(STEP) "Deleting data past the retention period" $(BIN)/python -m helpdesk purge

admin: db ## Create the first advisor-console admin (asks for a password)
	@$(BIN)/python -m helpdesk create-admin --username $${ADMIN_USER:-admin}

run: $(MODEL) db ## Set up, then run the whole helpdesk (Ctrl-C stops it)
	@$(BIN)/python -m leerwijzer.launcher --model $(MODEL)

validate: $(VENV_OK) ## Check the training data and domain
	@$(STEP) "Validating the training data" $(BIN)/rasa data validate --config config.yml \
		--domain bot/domain --data data --fail-on-warnings

lint: $(VENV_OK) ## Ruff (style, pydocstyle)
	@$(STEP) "Linting" $(BIN)/ruff check .

test-unit: $(VENV_OK) ## Fast tests: actions, catalogue, channels (no Rasa server)
	@$(STEP) "Unit and integration tests" $(BIN)/python -m pytest -m "not e2e" -q

test-stories: $(MODEL) ## End-to-end test stories with rasa test, and held-out NLU accuracy
	@$(STEP) "Test stories" $(BIN)/python -m bot.server test core --model $(MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out results/stories
	@$(STEP) "Held-out NLU accuracy and out-of-scope probes" env LEERWIJZER_TEST_MODEL=$(MODEL) $(BIN)/python -m pytest \
		tests/nlu/test_heldout.py tests/nlu/test_out_of_scope_model.py -q

nlu-report: $(VENV_OK) ## NLU quality: 3 x 5-fold CV macro F1 + held-out accuracy (trains in a temp folder, ~5 min)
	@$(STEP) "NLU report" $(BIN)/python benchmarks/nlu_report.py

test-e2e: $(MODEL) ## Real Rasa and action servers, HTTP and headless Chromium
	@$(STEP) "Checking for Chromium" scripts/ensure-chromium.sh
	@$(STEP) "End-to-end tests" env LEERWIJZER_TEST_MODEL=$(MODEL) $(BIN)/python -m pytest -m e2e -q

probes: $(MODEL) ## Attack and fault probes: channels, secrets, action server, sizes, restarts
	@$(STEP) "Checking for Chromium" scripts/ensure-chromium.sh
	@$(STEP) "Attack and fault probes" env LEERWIJZER_TEST_MODEL=$(MODEL) $(BIN)/python -m pytest \
		-m probe -q -s

eval-oos: $(MODEL) ## Blind out-of-scope and crisis sets against the trained model (tests/eval)
	@$(STEP) "Out-of-scope and crisis evaluation" $(BIN)/python benchmarks/eval_oos.py --model $(MODEL)

eval-conversations: $(MODEL) ## Blind conversation suite with a simulated user against the real stack
	@$(STEP) "Conversation suite" $(BIN)/python benchmarks/eval_conversations.py --model $(MODEL)

test: lint validate test-unit test-stories test-e2e ## Set up and run every test

lock: ## Re-resolve requirements.in into requirements.lock
	@PY=$$(scripts/find-python310.sh) || exit 1; rm -rf /tmp/leerwijzer-lock && $$PY -m venv /tmp/leerwijzer-lock && \
	/tmp/leerwijzer-lock/bin/pip install -q 'pip<24.1' && /tmp/leerwijzer-lock/bin/pip install -q -r requirements.in && \
	/tmp/leerwijzer-lock/bin/pip freeze --exclude-editable > requirements.lock && echo "requirements.lock updated"

bench: $(MODEL) db ## Chat latency/throughput against a bare `rasa init` bot: basic and search-heavy mix (minutes)
	@$(BIN)/python benchmarks/chat_bench.py --model $(MODEL)
	@$(BIN)/python benchmarks/chat_bench.py --model $(MODEL) --mix search-heavy

clean: ## Remove the venv, models and local data
	rm -rf $(VENV) $(STAMPS) models/*.tar.gz var results
