"""The search benchmark judges its targets from the measured figures, counts round trips that
follow one another, and serves the site compressed as a web server does."""

from __future__ import annotations

import gzip
import urllib.request
from pathlib import Path

from casebook.bench import search as bench
from casebook.bench.throttled import round_trips, serve


def _run(query: str, ms: int, kb: int, trips: int, *, full_text: bool = False) -> dict:
    empty = {"ms_to_first_result": ms, "ms_to_first_batch": ms + 900, "results": 6, "requests": 4,
             "bytes": kb * 1024, "search_requests": 4, "round_trips": trips}
    return {"query": query, "full_text": full_text, "empty": empty, "warm": {**empty, "bytes": 0}}


def _report(*sites: dict) -> dict:
    return {"measured": "2026-12-02", "machine": "测试机", "cpu_throttling": 4.0,
            "network": bench.NETWORK, "sites": list(sites)}


def _site(key: str, runs: list[dict]) -> dict:
    return {"site": "种子" if key == "seed" else "合成 1005 例", "key": key, "cases": 5,
            "build_seconds": 6.0, "index": {"files": 9, "raw": 9000, "gzip": 4000, "largest": 2000},
            "queries": runs}


def test_each_target_is_judged_on_the_worst_query_of_its_group() -> None:
    report = _report(
        _site("seed", [_run("一肩挑", 1800, 30, 3), _run("遵義", 2600, 20, 3),
                       _run("交通", 9000, 200, 8, full_text=True)]),
        _site("synthetic", [_run("一肩挑", 3400, 119, 4), {"query": "遵義", "empty": {"error": "timeout"},
                                                          "warm": {}}]))
    judged = {(v["group"], v["what"], v["site"]): v for v in bench.verdicts(report)}
    terms, words = bench.GROUPS[False], bench.GROUPS[True]
    seed_time = judged[(terms, "首个结果用时（空缓存）", "种子")]
    assert (seed_time["value"], seed_time["query"], seed_time["met"]) == (2600, "遵義", False)
    assert judged[(terms, "首个结果前传输量（gzip）", "种子")]["met"] is True
    assert judged[(words, "首个结果用时（空缓存）", "种子")]["met"] is False
    # a query with no first result misses its site's targets, whatever the others measured
    assert judged[(terms, "首个结果用时（空缓存）", "合成 1005 例")]["met"] is False
    page = bench.markdown(report)
    assert "| 领域词、日常说法、长句、繁体 | 首个结果用时（空缓存） | 种子 | 不超过 2.50 秒 | 2.60 秒（遵義） | 未达到 |" in page
    assert "| 种子 | 一肩挑 | 6 | 1.80 秒 | 2.70 秒 | 4 | 30 KB | 3 | 1.80 秒 | 0 KB |" in page
    assert "| 合成 1005 例 | 遵義 | 未出结果 |" in page


def test_round_trips_count_requests_that_wait_for_each_other_once_when_parallel() -> None:
    def request(start: float, end: float) -> dict:
        return {"start": start, "end": end}

    assert round_trips([]) == 0
    assert round_trips([request(0, 500), request(10, 600)]) == 1
    assert round_trips([request(0, 500), request(510, 900), request(520, 950), request(960, 1400)]) == 3


def test_the_bench_server_sends_text_gzip_compressed_and_index_chunks_as_they_are(tmp_path: Path) -> None:
    text = "搜索".encode() * 2000
    (tmp_path / "terms.json").write_bytes(text)
    (tmp_path / "terms.json.gz").write_bytes(gzip.compress(text, 9, mtime=0))
    (tmp_path / "page.html").write_bytes(text)
    (tmp_path / "a.pf_index").write_bytes(b"\x1f\x8b already gzip")
    server, base = serve(tmp_path)
    try:
        def get(name: str) -> tuple[dict, bytes]:
            asked = urllib.request.Request(base + name, headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(asked) as response:
                return dict(response.headers), response.read()

        headers, body = get("terms.json")
        assert headers["Content-Encoding"] == "gzip" and body == (tmp_path / "terms.json.gz").read_bytes()
        headers, body = get("page.html")  # no copy: compressed on the way
        assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body) == text
        headers, body = get("a.pf_index")
        assert "Content-Encoding" not in headers and body == b"\x1f\x8b already gzip"
        assert headers["Cache-Control"] == "max-age=600"
    finally:
        server.shutdown()
