"""Atomic output (deckgen.fsutil): whole or nothing, with the permissions a normal write gives."""
from __future__ import annotations

import os

import pytest

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
