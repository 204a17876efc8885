"""Take docs/serve.png: the `deckgen serve` page for the example project, planned and built in
headless chromium (python scripts/serve_screenshot.py; needs chromium, chromedriver, LibreOffice)."""
from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from tests.headless_browser import start_chromium  # noqa: E402
from tests.serve_server import copy_example_project, start_server  # noqa: E402


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="deckgen-screenshot-"))
    server = start_server(copy_example_project(work))
    driver, profile = start_chromium(window="1400,1250", arguments=["--hide-scrollbars"])
    try:
        driver.get(server.url + "/")
        wait = WebDriverWait(driver, 600)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
        Select(driver.find_element(By.ID, "crm-row")).select_by_index(1)        # Globex, from the CRM export
        driver.find_element(By.ID, "build").click()
        wait.until(lambda d: d.find_elements(By.ID, "download-pptx"))
        wait.until(lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('#plan img')).every(i => i.complete && i.naturalWidth > 0)"))
        driver.save_screenshot(str(ROOT / "docs" / "serve.png"))
    finally:
        driver.quit()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
