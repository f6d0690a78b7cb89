# Every target creates the environment it needs; `make serve` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
# Browser libraries the site serves itself (package-lock.json pins them; see casebook.site.vendor).
NODE_STAMP := node_modules/.installed-$(shell cat package.json package-lock.json | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1:8000
# Builds are dated by SOURCE_DATE_EPOCH, else the last commit, else (a copy without git) the latest
# date in the records, so one tree always gives the same bytes. Each step applies that one rule
# itself (casebook.records.history.build_epoch): nothing here can hand a tool an empty date.
# The site engine (casebook.handover.engines): zensical (default) or properdocs. Both build the
# same staged tree; `make build ENGINE=properdocs`, `make serve ENGINE=properdocs`.
ENGINE ?= zensical
export CASEBOOK_ENGINE := $(ENGINE)

.PHONY: help venv vendor validate build pdf offline serve test test-engine lint clean export new-case import excel-template contributing bench-search bench bench-engines

help:
	@echo "make serve     建立环境、校验数据、构建并在 http://$(HOST) 预览网站"
	@echo "make test      运行全部测试"
	@echo "make validate  校验全部案例和词表"
	@echo "make build     严格模式构建网站到 site/（含打印讲义和离线版；ENGINE=properdocs 换用第二个网站引擎）"
	@echo "make pdf       生成每个案例和课程的 A4 打印讲义（PDF）到 site/handouts/（先构建网站）"
	@echo "make offline   与 make build 相同：由网站生成离线版到 offline/ 并打包为 casebook-offline.zip（不联网双击 index.html 即可使用）"
	@echo "make export    导出数据（CSV、Excel 工作簿、JSON）到 downloads/"
	@echo "make new-case  新建一个案例文件（逐项询问，或 ARGS='--region zunyi --title 标题'）"
	@echo "make import FILE=案例.xlsx  把填好的 Excel 模板转成案例文件"
	@echo "make excel-template  生成案例填写模板 case-template.xlsx"
	@echo "make contributing  按格式说明更新 CONTRIBUTING.md 的字段说明"
	@echo "make bench     规模基准测试（1,000 和 10,000 个合成案例），结果写入 content/benchmarks/index.md"
	@echo "make bench-search  搜索基准测试（种子站点和 1000 个合成案例，弱网手机）：首个结果用时、传输量和往返次数"
	@echo "make bench-engines  两个网站引擎的对照（种子案例库和 1000 个合成案例）：构建时间、页面、链接、搜索，写入 content/benchmarks/engines.md"
	@echo "make lint      代码风格检查"
	@echo "make clean     删除构建产物和环境"

venv: $(STAMP)

vendor: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $@

validate: venv
	$(BIN)/casebook validate

# `casebook build`: validate, stage every page as files (.cache/stage/), the engine's strict build,
# then the pre-rendered HTML put back and the search index. Handouts are typeset after the pages
# (Typst, tens of milliseconds each, on every core); unchanged ones come from .cache/handouts/.
# Then the offline copy is derived from the finished site (no second build), zipped, and the zip
# put on the site's downloads page. Dated as the site is. `casebook publish` is those three steps
# (`casebook build`, `casebook pdf`, `casebook offline`) in one process, validating once.
build: venv vendor
	$(BIN)/casebook publish --site-dir site --cache .cache/handouts --out offline --zip casebook-offline.zip

# The whole site in offline/ for a USB stick (file://, search included) and casebook-offline.zip,
# the same bytes for the same tree: made from the site `make build` builds.
offline: build

pdf: build

# The same files as the site's downloads/, on demand (downloads/ is not committed).
export: venv
	$(BIN)/casebook export --out downloads

# A preview keeps going when a record is broken (the validator's messages stay on the terminal, the
# case's page lists them). The engine's own server serves the staged tree; casebook watches cases/,
# macros/ and content/ and stages again what an edit changed (casebook.handover.build.serve).
serve: venv vendor
	$(BIN)/casebook serve --dev-addr $(HOST)

# Contributors: start a case file (options in ARGS, else asked at the terminal), or turn a
# filled Excel template into one (make import FILE=case.xlsx [ARGS=--force]).
new-case: venv
	$(BIN)/casebook new-case $(ARGS)

import: venv
	@test -n "$(FILE)" || { echo "用法：make import FILE=填好的模板.xlsx"; exit 2; }
	$(BIN)/casebook import "$(FILE)" $(ARGS)

excel-template: venv
	$(BIN)/casebook excel-template --out case-template.xlsx

# The field reference in CONTRIBUTING.md is generated from the schema; a test fails when it is stale.
contributing: venv
	$(BIN)/casebook field-reference

# Everything on the default engine, then the site and link tests again on the second engine.
test: venv vendor lint
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory test-engine ENGINE=properdocs

# The tests of what an engine builds (pages, links, anchors, search, offline copy), on $(ENGINE).
test-engine: venv vendor
	CASEBOOK_ENGINE=$(ENGINE) $(BIN)/python -m pytest -m engine -q

# Builds the seed site and a synthetic 1,000-case site with `casebook build` ($(ENGINE)) in
# temporary folders, serves each gzip-compressed as a web server does, and measures the search in
# Chromium on a throttled phone (400 kbps, 400 ms, CPU 4x; empty and warm cache): time to the
# first result, requests and gzip bytes before it, sequential round trips, judged against the
# issue's targets. Writes scripts/benchmarks/search.json and content/benchmarks/search.md from
# the measured figures. A benchmark, not a test (a few minutes on 2 cores).
bench-search: venv vendor
	$(BIN)/python scripts/bench_search.py

lint: venv
	$(BIN)/ruff check src scripts tests

clean:
	rm -rf site offline casebook-offline.zip downloads .cache $(VENV) .pytest_cache node_modules

# Scale: `make build` exactly as a maintainer runs it, in a synthetic library of 1,000 and 10,000
# cases, cold and again after a one-case edit, with each stage's share (casebook.timings), memory,
# site and zip size, against the default engine alone building the same pages. Writes
# content/benchmarks/index.md and scripts/benchmarks/scale.json. Not a test (10,000 cases: hours).
bench: venv vendor
	$(BIN)/python scripts/bench.py $(or $(ARGS),--sizes 1000 10000 --serve)

# The two site engines on the same staged pages, at the seed library and 1,000 cases. Not a test.
bench-engines: venv vendor
	$(BIN)/python scripts/bench_engines.py $(or $(ARGS),--sizes 0 1000)
