"""deckgen serve: the HTTP API of a real server process on loopback (plan, build, search, errors,
tokens, back-pressure, reload) and the salespeople's page in a headless chromium."""
from __future__ import annotations

import asyncio
import os
import io
import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request  # noqa: F401  (build_opener, in the login test)
import uuid
from pathlib import Path

import pytest
from pptx import Presentation

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")

from conftest import headless_chromium
from deckgen.ops.manifest import Manifest  # noqa: E402
from deckgen.pipeline.plan import plan_deck  # noqa: E402
from deckgen.serve.builds import BuildPool, Busy  # noqa: E402
from tests.serve_server import REPO, Server, copy_example_project, start_server  # noqa: E402

GLOBEX = {"company": "Globex Corporation", "segment": "enterprise", "industry": "manufacturing",
          "competitors": ["acme", "initech"], "objections": ["security", "integration"],
          "contact": {"name": "Hank Scorpio", "title": "CEO"}, "logo": "logos/globex.png",
          "values": {"annual_savings": 1250000}}
TOKEN = "crm-button-token-0123456789"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    project = copy_example_project(tmp_path_factory.mktemp("served"))
    running = start_server(project, "--workers", "1", "--queue", "4", "--max-upload", "1")
    yield running
    running.stop()


def _disk(project: Path) -> dict[str, tuple[int, int]]:
    """Every file of the project with its size and modification time."""
    return {path.relative_to(project).as_posix(): (path.stat().st_size, path.stat().st_mtime_ns)
            for path in sorted(project.rglob("*")) if path.is_file() and not path.name.startswith("serve-")}


def _problems(reply) -> list[dict]:
    assert reply.headers["content-type"].startswith("application/json"), reply.body[:200]
    error = reply.json()["error"]
    assert "Traceback" not in reply.body.decode()
    return error["problems"]


# -- plan, build, search ------------------------------------------------------------------------

def test_plan_lists_the_slides_the_cli_plans_with_reasons_and_thumbnail_links(server: Server) -> None:
    reply = server.call("POST", "/api/plan", {"recipe": "first-call", "prospect": GLOBEX})
    assert reply.status == 200, reply.body
    plan = reply.json()
    cli = plan_deck("first-call", prospect=REPO / "prospects" / "globex.yaml", start=server.project)
    assert [slide["key"] for slide in plan["slides"]] == cli.plan.keys()
    assert all(slide["rule"] for slide in plan["slides"])
    assert plan["slides"][0]["thumbnail"] == f"/api/thumbnails/{plan['slides'][0]['key']}.png"
    assert "path" not in plan["slides"][0]     # no server paths in answers


def test_build_returns_the_deck_and_records_it_in_the_manifest(server: Server) -> None:
    reply = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX})
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == ("application/vnd.openxmlformats-officedocument."
                                             "presentationml.presentation")
    deck = Presentation(io.BytesIO(reply.body))
    planned = server.call("POST", "/api/plan", {"recipe": "first-call", "prospect": GLOBEX}).json()
    assert len(deck.slides) == len(planned["slides"])
    text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    assert "Globex Corporation" in text
    name = reply.headers["x-deckgen-deck"]
    entry = Manifest.load(server.project / "build" / "serve").decks[name]
    assert entry.built_by.startswith("local:")
    assert entry.prospect.data["company"] == "Globex Corporation"
    assert entry.record["output"] and len(entry.record["slides"]) == len(deck.slides)
    recent = server.call("GET", "/api/decks").json()["decks"]
    assert name in [deck["deck"] for deck in recent]
    assert server.call("GET", f"/api/decks/{name}").body == reply.body
    import os
    import sqlite3
    with sqlite3.connect(os.environ["DECKGEN_SCOREBOARD"]) as db:     # logged like a CLI build
        logged = db.execute("SELECT kind, who, recipe, company FROM deck_events WHERE output_path LIKE ?",
                            (f"%/{name}",)).fetchall()
    assert logged == [("serve", entry.built_by, "first-call", "Globex Corporation")]


def test_served_decks_are_a_manifest_deckgen_rebuild_reads(server: Server) -> None:
    built = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX})
    assert built.status == 200, built.body
    result = subprocess.run([sys.executable, "-m", "deckgen", "rebuild", "build/serve", "--dry-run"],
                            cwd=server.project, capture_output=True, text=True,
                            env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("0 decks to rebuild"), result.stdout


@pytest.mark.libreoffice
def test_build_returns_a_pdf_when_asked_by_accept(server: Server) -> None:
    reply = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX},
                        headers={"Accept": "application/pdf"})
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.body.startswith(b"%PDF")
    pages = subprocess.run(["pdfinfo", "-"], input=reply.body, capture_output=True, text=False).stdout.decode()
    assert re.search(r"^Pages:\s+(\d+)$", pages, re.M).group(1) == reply.headers["x-deckgen-slides"]


def test_a_name_too_long_for_its_text_box_is_reported_against_the_company_field(server: Server) -> None:
    long_name = "Globex Corporation International Holdings of the Americas, Europe and Asia"
    plan = server.call("POST", "/api/plan", {"recipe": "first-call", "prospect": {**GLOBEX, "company": long_name}})
    assert plan.status == 200, plan.body
    problems = plan.json()["problems"]
    assert problems and {problem["field"] for problem in problems} == {"company"}
    assert "slide 2 'agenda' (corporate #3): text overflows shape" in problems[0]["message"]
    assert "a shorter company fits" in problems[0]["message"]
    short = server.call("POST", "/api/plan", {"recipe": "first-call", "prospect": GLOBEX}).json()
    assert short["problems"] == []


@pytest.mark.libreoffice
def test_the_page_links_give_a_built_deck_and_its_pdf(server: Server) -> None:
    built = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX},
                        headers={"Accept": "application/json"})
    assert built.status == 200, built.body
    links = built.json()
    assert Presentation(io.BytesIO(server.call("GET", links["pptx"]).body)).slides
    pdf = server.call("GET", links["pdf"])
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    assert (server.project / "build" / "serve" / links["deck"]).with_suffix(".pdf").is_file()
    assert server.call("GET", "/api/decks/..%2F..%2Fdeckgen.yaml").status == 404


def test_search_ranks_the_matching_slide_first(server: Server) -> None:
    reply = server.call("GET", "/api/library?q=security+network&limit=3")
    assert reply.status == 200
    slides = reply.json()["slides"]
    assert slides[0]["key"] == "objection-security"
    assert "security" in slides[0]["matched"]


def test_recipes_and_choices_come_from_the_project(server: Server) -> None:
    data = server.call("GET", "/api/recipes").json()
    assert {"first-call", "executive-briefing"} <= {recipe["name"] for recipe in data["recipes"]}
    assert data["choices"]["segment"] == ["enterprise", "mid-market", "smb"]
    assert "acme" in data["choices"]["competitors"]
    rows = server.call("GET", "/api/prospects").json()["prospects"]
    globex = next(row for row in rows if row["label"].startswith("prospects/crm-export.csv"))
    assert globex["prospect"]["logo"] == "logos/globex.png"     # relative to the prospects folder


def test_openapi_describes_the_api(server: Server) -> None:
    paths = server.call("GET", "/openapi.json").json()["paths"]
    assert {"/api/plan", "/api/build", "/api/library", "/api/recipes"} <= set(paths)


# -- refused requests: 4xx JSON in the CLI's words, nothing changed on disk ----------------------

def _multipart(fields: dict[str, tuple[str, bytes, str] | str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        if isinstance(value, tuple):
            filename, data, kind = value
            head = (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {kind}\r\n\r\n").encode()
        else:
            head, data = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode(), value.encode()
        parts.append(f"--{boundary}\r\n".encode() + head + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


BAD_REQUESTS = {
    "bad-json": (b'{"recipe": "first-call", "prospect": {', "application/json", 400, None,
                 "the request body is not valid JSON"),
    "unknown-recipe": (json.dumps({"recipe": "first-cal", "prospect": GLOBEX}).encode(), "application/json", 404,
                       "recipe", "no recipe named 'first-cal' (did you mean 'first-call'?)"),
    "recipe-path": (json.dumps({"recipe": "../recipes/first-call.yaml", "prospect": GLOBEX}).encode(),
                    "application/json", 404, "recipe", "no recipe named '../recipes/first-call.yaml'"),
    "logo-outside": (json.dumps({"recipe": "first-call", "prospect": {**GLOBEX, "logo": "../../etc/passwd"}}).encode(),
                     "application/json", 422, "logo", "logo '../../etc/passwd' is outside the prospects folder"),
    "undeclared-segment": (json.dumps({"recipe": "first-call", "prospect": {**GLOBEX, "segment": "enterprize"}}).encode(),
                           "application/json", 422, "segment", "segment 'enterprize' is not a segment of the message map"),
    "missing-company": (json.dumps({"recipe": "first-call", "prospect": {"segment": "smb"}}).encode(),
                        "application/json", 422, "company", "missing required field 'company'"),
    "deep-json": (b'{"recipe": "first-call", "prospect": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
                  "application/json", 400, None, "nested too deeply"),
}


@pytest.mark.parametrize("name", list(BAD_REQUESTS), ids=list(BAD_REQUESTS))
def test_a_bad_build_request_gets_a_json_error_and_changes_nothing(server: Server, name: str) -> None:
    body, kind, status, field, words = BAD_REQUESTS[name]
    before = _disk(server.project)
    reply = server.call("POST", "/api/build", body, headers={"Content-Type": kind})
    assert reply.status == status, reply.body
    problems = _problems(reply)
    assert any(words in problem["message"] for problem in problems), problems
    if field:
        assert field in [problem["field"] for problem in problems]
    assert _disk(server.project) == before


def test_an_oversized_logo_upload_is_refused_before_anything_is_written(server: Server) -> None:
    before = _disk(server.project)
    body, kind = _multipart({"logo": ("big.png", b"\x89PNG" + b"\0" * (2 * 1024 * 1024), "image/png")})
    reply = server.call("POST", "/api/logos", body, headers={"Content-Type": kind, "X-CSRF-Token": "t",
                                                              "Cookie": "deckgen_csrf=t"})
    assert reply.status == 413
    assert "larger than" in _problems(reply)[0]["message"]
    assert _disk(server.project) == before


def test_an_uploaded_logo_is_stored_by_content_and_used_by_its_id(server: Server) -> None:
    png = (REPO / "prospects" / "logos" / "vandelay.png").read_bytes()
    body, kind = _multipart({"logo": ("../../vandelay.png", png, "image/png")})
    reply = server.call("POST", "/api/logos", body, headers={"Content-Type": kind, "X-CSRF-Token": "t",
                                                              "Cookie": "deckgen_csrf=t"})
    assert reply.status == 200, reply.body
    logo = reply.json()["logo"]
    assert logo.startswith("upload:")
    stored = list((server.project / "build" / "serve" / "logos").iterdir())
    assert [path.read_bytes() for path in stored if path.stem == logo[7:]] == [png]
    built = server.call("POST", "/api/plan", {"recipe": "first-call", "prospect": {**GLOBEX, "logo": logo}})
    assert built.status == 200


def test_one_multipart_call_builds_with_an_uploaded_logo(server: Server) -> None:
    png = (REPO / "prospects" / "logos" / "bluth.png").read_bytes()
    request = {"recipe": "first-call", "prospect": {key: value for key, value in GLOBEX.items() if key != "logo"}}
    body, kind = _multipart({"request": json.dumps(request), "logo": ("bluth.png", png, "image/png")})
    reply = server.call("POST", "/api/build", body, headers={"Content-Type": kind, "X-CSRF-Token": "t",
                                                              "Cookie": "deckgen_csrf=t"})
    assert reply.status == 200, reply.body
    deck = Presentation(io.BytesIO(reply.body))
    from deckgen.render.slides import iter_shapes     # the title slide's logo sits in a group

    pictures = [shape.image.blob for slide in deck.slides for shape in iter_shapes(slide.shapes)
                if shape.shape_type == 13]
    assert png in pictures


def test_a_form_post_without_the_csrf_token_or_from_another_site_is_refused(server: Server) -> None:
    before = _disk(server.project)
    body, kind = _multipart({"request": json.dumps({"recipe": "first-call", "prospect": GLOBEX})})
    assert server.call("POST", "/api/build", body, headers={"Content-Type": kind}).status == 403
    reply = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX},
                        headers={"Origin": "https://evil.example"})
    assert reply.status == 403 and "other sites" in _problems(reply)[0]["message"]
    rebound = server.call("POST", "/api/build", {"recipe": "first-call", "prospect": GLOBEX},
                          headers={"Host": "attacker.example"})       # DNS rebinding
    assert rebound.status == 403 and "addressed to this machine" in _problems(rebound)[0]["message"]
    assert _disk(server.project) == before


def test_a_new_recipe_is_served_without_a_restart(server: Server) -> None:
    (server.project / "recipes" / "quick-intro.yaml").write_text(
        "name: Quick intro\nvariables: {presenter: Maria}\nsections:\n  - name: opening\n    slides: [title]\n", encoding="utf-8")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if "quick-intro" in [r["name"] for r in server.call("GET", "/api/recipes").json()["recipes"]]:
            break
        time.sleep(0.3)
    reply = server.call("POST", "/api/build", {"recipe": "quick-intro", "prospect": GLOBEX})
    assert reply.status == 200, reply.body
    assert len(Presentation(io.BytesIO(reply.body)).slides) == 1


# -- tokens beyond loopback ----------------------------------------------------------------------

def test_serving_beyond_loopback_without_tokens_refuses_to_start(tmp_path: Path) -> None:
    project = copy_example_project(tmp_path)
    result = subprocess.run([sys.executable, "-m", "deckgen", "serve", "--host", "0.0.0.0", "--port", "1"],
                            cwd=project, capture_output=True, text=True, env={**__import__("os").environ,
                                                                               "PYTHONPATH": str(REPO)})
    assert result.returncode == 1
    assert result.stderr.startswith("error: listening on 0.0.0.0 makes decks reachable from other machines")
    assert "Traceback" not in result.stderr


def test_a_non_loopback_server_requires_a_token_and_records_who_built(tmp_path: Path) -> None:
    project = copy_example_project(tmp_path)
    running = start_server(project, "--workers", "1", "--no-thumbnails", "--no-reload", host="0.0.0.0",
                           env={"DECKGEN_SERVE_TOKENS": f"crm={TOKEN}"})
    try:
        before = _disk(project)
        request = {"recipe": "first-call", "prospect": GLOBEX}
        missing = running.call("POST", "/api/build", request)
        assert missing.status == 401 and "requires an API token" in _problems(missing)[0]["message"]
        wrong = running.call("POST", "/api/build", request, headers={"Authorization": f"Bearer {TOKEN}x"})
        assert wrong.status == 401
        assert running.call("GET", "/api/library?q=security").status == 401
        assert _disk(project) == before
        page = running.call("GET", "/")
        assert b"Access token" in page.body          # redirected to the login page
        _log_in_and_plan(running)
        built = running.call("POST", "/api/build", request, headers={"Authorization": f"Bearer {TOKEN}"})
        assert built.status == 200, built.body
        entry = Manifest.load(project / "build" / "serve").decks[built.headers["x-deckgen-deck"]]
        assert entry.built_by == "token:crm"
    finally:
        running.stop()


def _log_in_and_plan(running: Server) -> None:
    """Log in on the page with the token; the session then plans, with the page's CSRF token only."""
    import http.cookiejar
    import urllib.parse

    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(running.url + "/login") as response:
        login = response.read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    wrong = urllib.parse.urlencode({"csrf_token": csrf, "token": "not-the-token"}).encode()
    with pytest.raises(urllib.error.HTTPError) as refused:
        browser.open(running.url + "/login", data=wrong)
    refused.value.close()
    assert refused.value.code == 401
    right = urllib.parse.urlencode({"csrf_token": csrf, "token": TOKEN}).encode()
    with browser.open(running.url + "/login", data=right) as response:
        page = response.read().decode()
    assert 'id="deck-form"' in page and "user:crm" in page
    request = {"recipe": "first-call", "prospect": GLOBEX}

    def plan(headers: dict[str, str]) -> int:
        sent = urllib.request.Request(running.url + "/api/plan", data=json.dumps(request).encode(), method="POST",
                                      headers={"Content-Type": "application/json", **headers})
        try:
            with browser.open(sent) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            exc.close()
            return exc.code

    assert plan({}) == 403                                  # a session needs the page's CSRF token
    assert plan({"X-CSRF-Token": csrf}) == 200


# -- back-pressure -------------------------------------------------------------------------------

def test_a_full_queue_answers_busy_with_a_retry_time(tmp_path: Path) -> None:
    pool = BuildPool(tmp_path, workers=1, queue=1, timeout=30)
    pool._pool = __import__("concurrent.futures").futures.ThreadPoolExecutor(1)   # sleeps need no processes

    async def three() -> list:
        return await asyncio.gather(*(pool._run(time.sleep, 0.5) for _ in range(3)), return_exceptions=True)

    try:
        results = asyncio.run(three())
    finally:
        pool.close()
    busy = [result for result in results if isinstance(result, Busy)]
    assert len(busy) == 1 and busy[0].retry_after >= 1
    assert results.count(None) == 2
    assert pool.pending == 0


def test_a_timed_out_build_frees_its_worker(tmp_path: Path) -> None:
    """The worker stops a job at the request's timeout: the next request gets the worker at once
    instead of waiting for a runaway build to end by itself."""
    import concurrent.futures
    import multiprocessing

    from deckgen.serve.builds import TimedOut

    pool = BuildPool(tmp_path, workers=1, queue=1, timeout=2)
    pool._pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    started = pool._pool.submit(os.getpid).result(timeout=120)    # the worker is up before the clock runs

    async def runaway_then_quick() -> tuple:
        with pytest.raises(TimedOut):
            await pool._run(time.sleep, 30)
        return await pool._run(os.getpid)

    try:
        worker = asyncio.run(runaway_then_quick())
    finally:
        pool.close()
    assert worker == started         # the same worker, freed (not a replacement process)
    assert pool.pending == 0


# -- the page in a browser -----------------------------------------------------------------------

def _chromium(downloads: Path):
    return headless_chromium(window="1400,1100", downloads=downloads)


@pytest.mark.browser
@pytest.mark.libreoffice
def test_the_page_plans_with_thumbnails_and_downloads_the_deck(server: Server, tmp_path: Path) -> None:
    import shutil

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    driver, profile = _chromium(downloads)
    try:
        driver.get(server.url + "/")
        wait = WebDriverWait(driver, 300)
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "true")
        Select(driver.find_element(By.ID, "recipe")).select_by_value("first-call")

        # a missing company is reported beside the company field, in the CLI's words
        driver.find_element(By.ID, "show-plan").click()
        company_error = driver.find_element(By.CSS_SELECTOR, '.error[data-for="company"]')
        wait.until(lambda d: company_error.text)
        assert "missing required field 'company'" in company_error.text

        driver.find_element(By.ID, "company").send_keys("Initech Labs")
        Select(driver.find_element(By.ID, "segment")).select_by_value("mid-market")
        driver.find_element(By.CSS_SELECTOR, 'input[name="competitors"][value="acme"]').click()
        driver.find_element(By.CSS_SELECTOR, 'input[name="objections"][value="security"]').click()
        driver.find_element(By.ID, "logo").send_keys(str(REPO / "prospects" / "logos" / "vandelay.png"))
        wait.until(lambda d: d.find_element(By.ID, "logo-value").get_attribute("value").startswith("upload:"))
        driver.find_element(By.ID, "add-value").click()
        driver.find_element(By.CSS_SELECTOR, ".value-row .value-name").send_keys("annual_savings")
        driver.find_element(By.CSS_SELECTOR, ".value-row .value-value").send_keys("480000")
        driver.find_element(By.ID, "show-plan").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#plan li"))
        assert company_error.text == ""

        expected = plan_deck("first-call", sets=["company=Initech Labs", "segment=mid-market", "competitors=[acme]",
                                                 "objections=[security]"], start=server.project).plan.keys()
        keys = [item.get_attribute("data-key") for item in driver.find_elements(By.CSS_SELECTOR, "#plan li")]
        assert keys == expected
        rules = [item.text for item in driver.find_elements(By.CSS_SELECTOR, "#plan .rule")]
        assert any("battle-card" in rule or "competitor" in rule for rule in rules), rules
        # every thumbnail is a rendered picture (LibreOffice renders the library on first use)
        wait.until(lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('#plan img')).every(i => i.complete && i.naturalWidth > 0)"))

        driver.find_element(By.ID, "build").click()
        link = wait.until(lambda d: d.find_elements(By.ID, "download-pptx"))[0]
        link.click()
        wait.until(lambda d: [p for p in downloads.glob("*.pptx")])
        deck_path = next(downloads.glob("*.pptx"))
        deck = Presentation(deck_path)
        assert len(deck.slides) == len(expected)
        text = " ".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
        assert "Initech Labs" in text
        recent = driver.find_element(By.CSS_SELECTOR, "#recent tbody").text
        assert "Initech Labs" in recent
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_the_serve_benchmark_runs_builds_over_http_without_errors(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(REPO / "bench" / "serve.py"), "--quick", "--load", "6",
                             "--concurrency", "3", "--workers", "1", "--cache-dir", str(tmp_path),
                             "--json", str(tmp_path / "serve.json")],
                            capture_output=True, text=True, env={**__import__("os").environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "serve.json").read_text())
    assert report["load"]["errors"] == 0 and report["load"]["requests"] == 6
    assert report["http_build"]["facts"]["slides"] == report["deck_slides"]
    assert "x floor" in result.stdout and "builds/s" in result.stdout
