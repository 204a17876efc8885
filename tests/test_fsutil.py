"""Atomic output (deckgen.fsutil): whole or nothing, with the permissions a normal write gives."""
from __future__ import annotations

import errno
import os

import pytest

from deckgen.errors import OutputError
from deckgen.fsutil import atomic_output, write_bytes_atomic


def test_failure_leaves_the_previous_file_and_no_temporary(tmp_path):
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_output(target) as handle:
            handle.write(b"half")
            raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


def test_new_file_gets_umask_permissions_and_existing_keeps_its_mode(tmp_path):
    old = os.umask(0o022)
    try:
        fresh = tmp_path / "new.pptx"
        write_bytes_atomic(fresh, b"x")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.pptx"
        kept.write_bytes(b"a")
        kept.chmod(0o640)
        write_bytes_atomic(kept, b"b")
        assert kept.stat().st_mode & 0o777 == 0o640 and kept.read_bytes() == b"b"
    finally:
        os.umask(old)


def test_an_output_folder_that_cannot_be_made_is_one_user_error(tmp_path):
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(blocker / "deck.pptx", b"x")
    assert str(caught.value).startswith(f"{blocker / 'deck.pptx'}: cannot write the output (")


def test_a_full_disk_while_writing_is_one_user_error_and_leaves_nothing(tmp_path):
    target = tmp_path / "deck.pptx"
    target.write_bytes(b"old")
    with pytest.raises(OutputError) as caught:
        with atomic_output(target) as handle:
            handle.write(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
    assert "No space left on device" in str(caught.value)
    assert "free some disk space" in str(caught.value)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deck.pptx"]


def test_other_errors_of_the_block_pass_through(tmp_path):
    with pytest.raises(FileNotFoundError):
        with atomic_output(tmp_path / "deck.pptx"):
            open(tmp_path / "missing-source.pptx", "rb")
    assert list(tmp_path.iterdir()) == []


def test_a_digest_is_the_sha256_of_the_bytes_written(tmp_path):
    import hashlib

    from deckgen.fsutil import OutputDigest
    digest = OutputDigest()
    data = b"deck bytes " * 300_000
    with atomic_output(tmp_path / "deck.pptx", digest=digest) as handle:
        handle.write(data)
    assert digest.hexdigest == hashlib.sha256(data).hexdigest() == hashlib.sha256((tmp_path / "deck.pptx").read_bytes()).hexdigest()


@pytest.mark.parametrize("window", [1 << 24, 1 << 16])     # one map; many, the last one partial
def test_a_digest_of_the_first_bytes_hashed_early_covers_the_whole_file(tmp_path, monkeypatch, window):
    # a writer hashes the part of its file it will not rewrite while it still works on the rest
    import hashlib

    import deckgen.fsutil as fsutil
    monkeypatch.setattr(fsutil, "_HASH_WINDOW", window)
    digest = fsutil.OutputDigest()
    head, tail = b"media " * 400_000, b"xml " * 5_000
    with atomic_output(tmp_path / "deck.pptx", digest=digest) as handle:
        handle.write(head)
        handle.flush()
        digest.hash_prefix(handle.fileno(), len(head))
        handle.write(tail)
    assert digest.hexdigest == hashlib.sha256(head + tail).hexdigest()


def test_a_digest_that_fails_leaves_no_output(tmp_path, monkeypatch):
    import deckgen.fsutil as fsutil

    def unreadable(path, prefix=None):
        raise OSError(5, "Input/output error", path)

    monkeypatch.setattr(fsutil, "sha256_file", unreadable)
    with pytest.raises(OutputError):
        with fsutil.atomic_output(tmp_path / "deck.pptx", digest=fsutil.OutputDigest()) as handle:
            handle.write(b"x")
    assert list(tmp_path.iterdir()) == []
