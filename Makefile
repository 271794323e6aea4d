.PHONY: run test lint types check bench
PYTEST_ARGS ?=
run:
	scripts/run
test:
	scripts/test $(PYTEST_ARGS)
lint:
	.venv/bin/ruff check .
types:
	.venv/bin/mypy
check: test
bench:
	.venv/bin/python -m bench.webhook_ack
	.venv/bin/python -m bench.zendesk_calls
	.venv/bin/python -m bench.sla_sweep
