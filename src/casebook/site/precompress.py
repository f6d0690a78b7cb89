"""Pre-compressed copies (`.gz`, `.br`) beside the large text files a search and a page load need.

Servers such as nginx (`gzip_static`, `brotli_static`) and Caddy (`precompressed`) send such a copy
instead of compressing on every request, and a server that compresses nothing is no worse off: on
a 400 kbps link a 45 KB script is 0.9 s, its Brotli copy 0.3 s. The copies are deterministic
(gzip without a file name or time, Brotli at fixed settings), so a build stays byte for byte the
same. Pagefind's own chunks and WebAssembly are gzip data already and get no copy.
"""

from __future__ import annotations

import gzip
import hashlib
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import brotli

from casebook.parallel import cores

# Folders of the built site whose text files get copies, and the suffixes counted as text: what
# a page load and a search need (scripts, style sheets, the search files), and the few large data
# files one page loads whole (the case finder's list, the case form's schema and division codes).
# Per-case files (compare/, downloads/) and the pages themselves get none: their copies would
# double the site's size with a file for each case, for servers that compress on the fly anyway.
FOLDERS = ("search", "pagefind", "javascripts", "stylesheets", "assets/javascripts",
           "assets/stylesheets", "finder", "contribute")
TEXT_SUFFIXES = (".js", ".json", ".css", ".html", ".svg")
# Folders whose .html files are search data (Pagefind's fragments), not pages.
PAGE_FOLDERS = ("search", "pagefind")
# Smaller files gain too little to be worth a second request path on the server.
MIN_BYTES = 1024


def precompress(site_dir: Path, folders: tuple[str, ...] = FOLDERS, *,
                cache: Path | None = None, workers: int | None = None) -> list[Path]:
    """Write `X.gz` and `X.br` beside every text file of at least MIN_BYTES in `folders` (each
    only when it is smaller than the file); return the copies written.

    Brotli at its best setting is slow (about 2 MB/s), so the files are compressed on `workers`
    threads (default every core; the compressors let go of the interpreter), and with `cache`, a
    folder kept between builds, a file whose bytes an earlier build compressed reuses its copies:
    after a one-case edit only the search files that changed are compressed again. The cache
    keeps only what this build used.
    """
    found = []
    for folder in folders:
        for path in sorted((site_dir / folder).rglob("*")):
            if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
                continue
            if path.suffix == ".html" and folder not in PAGE_FOLDERS:
                continue  # a page, not an asset (the finder's, the form's)
            data = path.read_bytes()
            if len(data) >= MIN_BYTES:
                found.append((path, data, _key(data)))
    with ThreadPoolExecutor(max_workers=workers or cores()) as pool:
        packed = list(pool.map(lambda item: _packed(item[1], item[2], cache), found))
    written = []
    for (path, data, _), copies in zip(found, packed, strict=True):
        for suffix, copy_data in copies:
            if len(copy_data) < len(data):
                copy = path.with_name(path.name + suffix)
                copy.write_bytes(copy_data)
                written.append(copy)
    if cache is not None:
        used = {f"{key}{suffix}" for _, _, key in found for suffix in COPIES}
        for old in cache.glob("*"):
            if old.name not in used:
                old.unlink()
    return written


COPIES = (".gz", ".br")


# The compressors' versions are part of each key: copies another version made would differ in
# their bytes, and one commit must give the same files whatever a machine's cache holds.
_SALT = f"gzip 9 zlib {zlib.ZLIB_RUNTIME_VERSION} brotli 11 {brotli.__version__}\n".encode()


def _key(data: bytes) -> str:
    return hashlib.sha256(_SALT + data).hexdigest()


def _packed(data: bytes, key: str, cache: Path | None) -> list[tuple[str, bytes]]:
    """The gzip and Brotli copies of `data` (whose `_key` is `key`), from `cache` when it holds
    them."""
    if cache is not None:
        kept = [cache / f"{key}{suffix}" for suffix in COPIES]
        if all(path.is_file() for path in kept):
            return [(suffix, path.read_bytes()) for suffix, path in zip(COPIES, kept, strict=True)]
    copies = [(".gz", gzip.compress(data, 9, mtime=0)), (".br", brotli.compress(data, quality=11))]
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        for suffix, copy_data in copies:
            partial = cache / f"{key}{suffix}.part"
            partial.write_bytes(copy_data)
            partial.replace(cache / f"{key}{suffix}")
    return copies
