# Every target creates the environment it needs; `make serve` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000
# The engine's end-of-life notice is tracked in the README; keep it out of every build log.
export NO_MKDOCS_2_WARNING := 1

.PHONY: help venv validate build serve test lint clean

help:
	@echo "make serve     建立环境、校验数据、构建并在 http://$(HOST) 预览网站"
	@echo "make test      运行全部测试"
	@echo "make validate  校验全部案例和词表"
	@echo "make build     严格模式构建网站到 site/"
	@echo "make lint      代码风格检查"
	@echo "make clean     删除构建产物和环境"

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

validate: venv
	$(BIN)/casebook validate

build: validate
	$(BIN)/mkdocs build --strict --site-dir site

serve: validate
	$(BIN)/mkdocs serve --strict --dev-addr $(HOST)

test: venv lint
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check src scripts tests

clean:
	rm -rf site $(VENV) .pytest_cache
