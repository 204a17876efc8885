"""The library index cache: unchanged modules are not read again, changed ones always are."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import deckgen.library.cache as cache_module
import deckgen.library.index as index
from deckgen.pipeline.workspace import Workspace
from deckgen.config import project_config
from deckgen.library import load_library
from deckgen.library.cache import IndexCache
from deckgen.ooxml.package import SourceDeck


@pytest.fixture(autouse=True)
def _restore_settle_time(monkeypatch):
    monkeypatch.setattr(cache_module, "SETTLE_SECONDS", cache_module.SETTLE_SECONDS)


def _age(folder: Path, seconds: float = 60) -> None:
    """Date every file of ``folder`` ``seconds`` back, as files not edited just now are.

    A file's ctime cannot be dated back, and the cache keeps only files whose mtime and ctime
    are settled, so files aged here count as settled at once (restored after each test).
    """
    when = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (when, when))
    cache_module.SETTLE_SECONDS = 0.0


def _forbid_reading_modules(monkeypatch):
    def fail(path):
        raise AssertionError(f"{path} was read again")
    monkeypatch.setattr(index, "list_slides", fail)


def test_a_second_scan_of_an_unchanged_library_reads_no_module(sample_library, tmp_path, monkeypatch):
    _age(sample_library)
    cache = IndexCache(tmp_path / "cache.json")
    first = load_library(sample_library, cache=cache)
    cache.save()

    _forbid_reading_modules(monkeypatch)
    again = load_library(sample_library, cache=IndexCache(tmp_path / "cache.json"))
    assert again.slides == first.slides
    assert again.problems == first.problems
    assert again.broken == first.broken


def test_an_edited_sidecar_is_read_again(sample_library, tmp_path):
    _age(sample_library)
    cache_file = tmp_path / "cache.json"
    cache = IndexCache(cache_file)
    load_library(sample_library, cache=cache)
    cache.save()

    sidecar = sample_library / "value.yaml"
    sidecar.write_text(sidecar.read_text().replace("key: vp-fast", "key: vp-quick"))
    _age(sample_library, 30)
    keys = load_library(sample_library, cache=IndexCache(cache_file)).keys()
    assert "vp-quick" in keys and "vp-fast" not in keys


def test_a_sidecar_added_beside_a_module_is_seen(sample_library, tmp_path, make_module):
    make_module(sample_library, "extra", ["Extra slide"])      # a module without a sidecar
    _age(sample_library)
    cache_file = tmp_path / "cache.json"
    cache = IndexCache(cache_file)
    assert load_library(sample_library, cache=cache).get("extra-one") is None
    cache.save()

    (sample_library / "extra.yaml").write_text("status: approved\nslides:\n  - key: extra-one\n    slide_id: 256\n")
    _age(sample_library, 30)
    assert load_library(sample_library, cache=IndexCache(cache_file)).get("extra-one") is not None


def test_files_changed_just_now_are_not_cached(sample_library, tmp_path):
    # the mtime of a file written within the same clock tick as the scan may not move on the next
    # edit; such results are never stored
    for path in sample_library.iterdir():
        os.utime(path)          # modified now
    cache = IndexCache(tmp_path / "cache.json")
    load_library(sample_library, cache=cache)
    cache.save()
    assert not (tmp_path / "cache.json").exists()


def test_a_damaged_cache_file_is_ignored(sample_library, tmp_path):
    cache_file = tmp_path / "cache.json"
    cache_file.write_bytes(b"not json")
    assert load_library(sample_library, cache=IndexCache(cache_file)).keys() == load_library(sample_library).keys()


def test_workspaces_share_slide_closure_hashes_through_the_cache(tmp_path, monkeypatch, sample_library):
    (sample_library.parent / "recipes").mkdir(exist_ok=True)
    (sample_library.parent / "deckgen.yaml").write_text("library: slide_library\n")
    monkeypatch.setenv("DECKGEN_CACHE_DIR", str(tmp_path / "cache"))
    _age(sample_library)
    config = project_config(sample_library.parent)
    slide = load_library(sample_library).get("vp-platform")
    first = Workspace(config)
    digest = first.closure_hash(slide.path, slide.slide_id)
    first.index_cache.save()

    monkeypatch.setattr(SourceDeck, "closure_hash", lambda *args: pytest.fail("hashed again"))
    assert Workspace(config).closure_hash(slide.path, slide.slide_id) == digest


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch, sample_library):
    monkeypatch.setenv("DECKGEN_NO_INDEX_CACHE", "1")
    cache = IndexCache.for_library(sample_library, tmp_path)
    assert cache.path is None
    _age(sample_library)
    load_library(sample_library, cache=cache)
    cache.save()
    assert not list(tmp_path.rglob("*.json"))


def test_a_just_edited_file_is_read_once_per_run_but_not_stored(tmp_path):
    source = tmp_path / "module.pptx"
    source.write_bytes(b"edited just now")
    cache = IndexCache(tmp_path / "cache.json")
    calls = []
    compute = lambda: calls.append(1) or "value"  # noqa: E731
    assert cache.get_or_compute("key", [source], compute) == "value"
    assert cache.get_or_compute("key", [source], compute) == "value"
    assert len(calls) == 1
    cache.save()
    assert not (tmp_path / "cache.json").exists()


def test_a_module_restored_with_touch_r_is_read_again(sample_library, tmp_path):
    # same size, same mtime (touch -r): only the ctime shows the edit
    _age(sample_library)
    cache_file = tmp_path / "cache.json"
    cache = IndexCache(cache_file)
    load_library(sample_library, cache=cache)
    cache.save()

    sidecar = sample_library / "value.yaml"
    before = sidecar.stat()
    text = sidecar.read_text()
    edited = text.replace("key: vp-fast", "key: vp-fass")
    assert len(edited) == len(text)
    time.sleep(0.01)
    sidecar.write_text(edited)
    os.utime(sidecar, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert sidecar.stat().st_size == before.st_size and sidecar.stat().st_mtime_ns == before.st_mtime_ns
    keys = load_library(sample_library, cache=IndexCache(cache_file)).keys()
    assert "vp-fass" in keys and "vp-fast" not in keys


def test_a_planted_pickle_in_the_cache_folder_runs_no_code(sample_library, tmp_path):
    import pickle

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    cache_file = tmp_path / "cache.json"
    cache_file.write_bytes(pickle.dumps(Payload()))
    assert load_library(sample_library, cache=IndexCache(cache_file)).keys() == load_library(sample_library).keys()
    assert not marker.exists()


def test_a_cache_naming_a_type_it_may_not_build_is_ignored(sample_library, tmp_path):
    cache_file = tmp_path / "cache.json"
    cache_file.write_text('{"format": %d, "deckgen": "%s", "entries": [[1, [], {"$Popen": {"args": "x"}}]]}'
                          % (cache_module.CACHE_FORMAT, cache_module.__version__))
    assert IndexCache(cache_file)._entries == {}
