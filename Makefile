# The two commands a person needs: `make demo` and `make test`. Both install what is missing first.
.PHONY: setup demo test bench
SHELL := bash

setup:
	@scripts/setup.sh

demo: setup
	@scripts/demo.sh

test: setup
	@scripts/test.sh

bench: setup
	@scripts/bench.sh
