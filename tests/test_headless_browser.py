"""The browser of the browser tests and docs screenshot scripts is found on PATH, not in a fixed folder."""
from __future__ import annotations

import os

import pytest

from headless_browser import BrowserNotFound, find_chromium


def test_chromium_and_its_driver_are_found_on_path(tmp_path, monkeypatch):
    for name in ("chromium", "chromedriver"):
        tool = tmp_path / name
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_chromium() == (str(tmp_path / "chromium"), str(tmp_path / "chromedriver"))
    os.remove(tmp_path / "chromedriver")
    with pytest.raises(BrowserNotFound, match="^chromedriver not found on PATH"):
        find_chromium()
