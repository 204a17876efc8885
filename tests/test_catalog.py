"""deckgen catalog: the page's embedded data, and filtering it in a real headless chromium."""
from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pptx import Presentation

from conftest import headless_chromium
from deckgen.cli import main
from deckgen.marketing.catalog import build_catalog
from deckgen.config import project_config
from deckgen.errors import DeckgenError

REPO = Path(__file__).resolve().parents[1]
CASE_STUDIES = ["case-kestrel", "case-meridian", "case-hartwell", "case-brightline", "case-alder",
                "case-pinecrest"]
_DATA = re.compile(r'<script type="application/json" id="catalog-data">(.*?)</script>', re.S)


@pytest.fixture
def project(example_project: Path) -> Path:
    return example_project


def page_data(index: Path) -> dict:
    match = _DATA.search(index.read_text(encoding="utf-8"))
    assert match, "the catalog data is embedded in the page"
    return json.loads(match.group(1))


def test_catalog_embeds_every_slide_with_its_recipes(project: Path) -> None:
    result = CliRunner().invoke(main, ["catalog", "-o", "site", "--no-thumbnails"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Wrote site/index.html: 39 slides; message map: site/map.html"
    data = page_data(project / "site/index.html")
    assert len(data["slides"]) == 39
    assert data["recipes"] == ["base", "closing", "executive-briefing", "first-call", "service-renewal"]
    assert data["tags"]["segment"] == ["enterprise", "mid-market", "smb"]
    by_key = {slide["key"]: slide for slide in data["slides"]}
    assert by_key["approach-90-days"]["recipes"] == ["first-call"]
    assert by_key["approach-90-days"]["usage"] == [{"recipe": "first-call", "section": "approach", "how": "names it"}]
    assert by_key["agenda"]["recipes"] == ["base", "executive-briefing", "first-call", "service-renewal"]
    kestrel = by_key["case-kestrel"]
    assert (kestrel["owner"], kestrel["review_by"], kestrel["status"]) == \
        ("lena.fischer@northwind.example", "2027-06-30", "approved")
    assert "Dana is happy to take one reference call per quarter" in kestrel["notes"]
    assert kestrel["thumb"] is None and not (project / "site/thumbs").exists()


def test_text_in_slides_cannot_break_out_of_the_page(project: Path) -> None:
    prs = Presentation("slide_library/corporate.pptx")
    prs.slides[0].notes_slide.notes_text_frame.text = "</script><script>alert(1)</script> & <!-- more"
    prs.save("slide_library/corporate.pptx")
    result = build_catalog(project_config(project), project / "site", thumbnails=False)
    html = result.index.read_text(encoding="utf-8")
    assert html.count("</script>") == 2          # the data block and the page script, nothing from slides
    notes = {slide["key"]: slide["notes"] for slide in page_data(result.index)["slides"]}
    assert notes["title"] == "</script><script>alert(1)</script> & <!-- more"


def test_output_must_be_a_folder(project: Path) -> None:
    Path("site").write_text("not a folder")
    result = CliRunner().invoke(main, ["catalog", "-o", "site", "--no-thumbnails"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "Error: Invalid value for '-o' / '--output': Directory 'site' is a file."
    with pytest.raises(DeckgenError, match="site: is a file; the catalog needs a folder"):
        build_catalog(project_config(project), "site", thumbnails=False)
    assert Path("site").read_text() == "not a folder"


# -- in the browser -----------------------------------------------------------------------------

def _chromium():
    return headless_chromium(window="1400,1000")


def _visible_keys(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('article.card'))"
        ".filter(card => !card.hidden && card.offsetParent !== null).map(card => card.dataset.key);")


@pytest.fixture(scope="module")
def catalog_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped library's catalog with thumbnails (rendered once for this module's tests)."""
    out = tmp_path_factory.mktemp("catalog")
    build_catalog(project_config(REPO), out / "site", cache_dir=out / "cache",
                  today=datetime.date(2026, 12, 1))
    return out / "site"


@pytest.mark.browser
@pytest.mark.libreoffice
def test_catalog_filters_by_tag_and_text_in_chromium(catalog_site: Path, tmp_path: Path) -> None:
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, profile = _chromium()
    try:
        driver.get((catalog_site / "index.html").as_uri())
        assert driver.find_element("id", "count").text == "Showing 39 of 39 slides"
        # thumbnails load lazily: bring each into view, then every one must have loaded from thumbs/
        for index in range(39):
            driver.execute_script("document.images[arguments[0]].scrollIntoView();", index)
            WebDriverWait(driver, 10).until(lambda d: d.execute_script(
                "return document.images[arguments[0]].complete;", index))
        driver.execute_script("window.scrollTo(0, 0);")
        widths = driver.execute_script("return Array.from(document.images).map(img => img.naturalWidth);")
        assert widths == [480] * 39

        Select(driver.find_element("id", "tag-kind")).select_by_value("case-study")
        assert _visible_keys(driver) == CASE_STUDIES
        assert driver.find_element("id", "count").text == "Showing 6 of 39 slides"

        Select(driver.find_element("id", "tag-segment")).select_by_value("smb")
        assert _visible_keys(driver) == ["case-alder", "case-pinecrest"]

        search = driver.find_element("id", "search")
        search.send_keys("spindle")                       # in the Alder & Sons slide text
        assert _visible_keys(driver) == ["case-alder"]

        driver.find_element("id", "clear").click()
        search.send_keys("Reference")                     # slide text or speaker notes, any case
        assert _visible_keys(driver) == ["case-kestrel", "case-generic", "next-steps"]
        search.send_keys(" DANA")                         # every word must occur: only Kestrel has both
        assert _visible_keys(driver) == ["case-kestrel"]

        search.clear()
        search.send_keys("zeppelin")
        assert _visible_keys(driver) == []
        assert driver.find_element("id", "empty").is_displayed()

        driver.find_element("id", "clear").click()
        Select(driver.find_element("id", "tag-competitor")).select_by_value("acme")
        shot = tmp_path / "catalog.png"
        assert driver.save_screenshot(str(shot))
        assert _visible_keys(driver) == ["battle-acme"]
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
    with Image.open(shot) as image:
        assert image.size[0] >= 1000
        # the one visible card shows its rendered thumbnail, not the flat placeholder colour
        assert len(image.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 200


def test_message_map_page_lists_each_situations_slides_and_gaps(project: Path) -> None:
    import lxml.html

    result = CliRunner().invoke(main, ["catalog", "-o", "site", "--no-thumbnails"])
    assert result.exit_code == 0, result.output
    page = lxml.html.fromstring((project / "site" / "map.html").read_text(encoding="utf-8"))
    assert not page.xpath("//script")
    smb = page.xpath("//section[@data-segment='smb']")[0]
    assert smb.xpath("h2")[0].text_content() == "Small business"        # the label from message_map.yaml
    battle = [li.xpath("b")[0].text for li in smb.xpath(".//ul[@data-kind='battle-card']/li")]
    assert battle == ["battle-initech", "battle-umbrella", "battle-in-house", "battle-generic"]   # no acme card
    values = [li.xpath("b")[0].text for li in smb.xpath(".//ul[@data-kind='value-prop']/li")]
    assert values == ["vp-predictive", "vp-live-in-weeks", "vp-plug-and-play", "vp-real-oee"]   # by priority
    # a declared kind no slide has is a gap; the same matcher as coverage decides
    assert smb.xpath(".//span[@class='gap'][@data-kind='corporate']")
    objections = page.xpath("//section[@data-tag='objection']")[0]
    assert [li.xpath("b")[0].text for li in objections.xpath(".//ul[@data-value='price']/li")] == ["objection-price"]
    index = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert '<a href="map.html">' in index
