"""Headless Chromium for the browser tests and the docs screenshot scripts: one lookup on PATH, one set of flags."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterable


class BrowserNotFound(RuntimeError):
    """chromium or chromedriver is not on PATH (scripts/install-deps installs Debian's)."""


def find_chromium() -> tuple[str, str]:
    """The chromium and chromedriver executables on PATH; BrowserNotFound when either is missing."""
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or chromedriver is None:
        missing = " and ".join(name for name, path in (("chromium", chromium), ("chromedriver", chromedriver))
                               if path is None)
        raise BrowserNotFound(f"{missing} not found on PATH (scripts/install-deps installs them)")
    return chromium, chromedriver


def start_chromium(*, window: str = "1400,1000", downloads: Path | None = None,
                   arguments: Iterable[str] = ()) -> tuple[Any, str]:
    """Return (selenium driver, profile folder) of a headless Chromium found on PATH. With
    ``downloads``, files the page downloads land there without a prompt; ``arguments`` are added
    to the command line (e.g. --hide-scrollbars for screenshots). The caller quits the driver and
    may remove the profile folder."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = find_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="deckgen-chromium-")
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", f"--window-size={window}",
                     f"--user-data-dir={profile}", *arguments):
        options.add_argument(argument)
    if downloads is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    if downloads is not None:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    return driver, profile
