.PHONY: run test lint types check bench
run:
	scripts/run
test:
	scripts/test
lint:
	.venv/bin/ruff check .
types:
	.venv/bin/mypy
check: test
bench:
	.venv/bin/python -m bench.webhook_ack
	.venv/bin/python -m bench.zendesk_calls
