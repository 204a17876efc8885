"""Regenerate docs/catalog.png and docs/coverage.png from the shipped example library.

    python scripts/docs_screenshots.py

The catalog is built with thumbnails (LibreOffice, through the render cache), opened from
file:// in headless chromium (found on PATH), filtered to case studies, and captured; the coverage
image is what `deckgen coverage --format png` writes.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
sys.path.insert(0, str(REPO))

from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from deckgen.marketing.catalog import build_catalog  # noqa: E402
from deckgen.marketing.coverage import coverage_map, write_coverage  # noqa: E402
from deckgen.config import project_config  # noqa: E402
from tests.headless_browser import start_chromium  # noqa: E402


def catalog_screenshot(target: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="deckgen-docs-") as work:
        site = Path(work) / "site"
        build_catalog(project_config(REPO), site)
        driver, profile = start_chromium(window="1400,1050", arguments=["--hide-scrollbars"])
        try:
            driver.get((site / "index.html").as_uri())
            Select(driver.find_element("id", "tag-kind")).select_by_value("case-study")
            WebDriverWait(driver, 30).until(lambda d: d.execute_script(
                "return Array.from(document.images).filter(i => i.offsetParent).every(i => i.complete);"))
            driver.save_screenshot(str(Path(work) / "catalog.png"))
        finally:
            driver.quit()
            shutil.rmtree(profile, ignore_errors=True)
        shutil.copyfile(Path(work) / "catalog.png", target)


def main() -> None:
    catalog_screenshot(DOCS / "catalog.png")
    write_coverage(coverage_map(project_config(REPO)), "png", DOCS / "coverage.png")
    print(f"wrote {DOCS / 'catalog.png'} and {DOCS / 'coverage.png'}")


if __name__ == "__main__":
    main()
