"""Regenerate docs/catalog.png and docs/coverage.png from the shipped example library.

    python scripts/docs_screenshots.py

The catalog is built with thumbnails (LibreOffice, through the render cache), opened from
file:// in Debian's headless chromium, filtered to case studies, and captured; the coverage image
is what `deckgen coverage --format png` writes.
"""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import Select, WebDriverWait

from deckgen.marketing.catalog import build_catalog
from deckgen.marketing.coverage import coverage_map, write_coverage
from deckgen.config import project_config

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"


def _browser(profile: str) -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1050",
                     "--hide-scrollbars", f"--user-data-dir={profile}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def catalog_screenshot(target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="deckgen-docs-") as work:
        site = Path(work) / "site"
        build_catalog(project_config(REPO), site)
        driver = _browser(str(Path(work) / "profile"))
        try:
            driver.get((site / "index.html").as_uri())
            Select(driver.find_element("id", "tag-kind")).select_by_value("case-study")
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                "return Array.from(document.images).filter(i => i.offsetParent).every(i => i.complete);"))
            driver.save_screenshot(str(Path(work) / "catalog.png"))
        finally:
            driver.quit()
        shutil.copyfile(Path(work) / "catalog.png", target)


def main() -> None:
    catalog_screenshot(DOCS / "catalog.png")
    write_coverage(coverage_map(project_config(REPO)), "png", DOCS / "coverage.png")
    print(f"wrote {DOCS / 'catalog.png'} and {DOCS / 'coverage.png'}")


if __name__ == "__main__":
    main()
