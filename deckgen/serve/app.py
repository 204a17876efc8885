"""The FastAPI application of `deckgen serve`: the salespeople's page and the HTTP API over the
warm project, its build pool and its security rules."""
from __future__ import annotations

import asyncio
import contextlib
import html
import re
import logging
import secrets
import threading
import time
import uuid
from importlib import resources
from pathlib import Path
from typing import Any, AsyncIterator, Callable

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from deckgen import __version__
from deckgen.errors import ConfigError, DeckgenError, InputFileError, RenderError, SlideSelectionError, TemplateError
from deckgen.marketing.prospect_fit import prospect_overflows
from deckgen.marketing.search import search
from deckgen.ops.manifest import ProjectRef
from deckgen.preview import SlideRef, open_cache, slide_thumbnails
from deckgen.fsutil import default_cache_dir
from deckgen.serve import inputs
from deckgen.serve.builds import BuildFailed, BuildPool, Busy, TimedOut
from deckgen.serve.inputs import RequestError, build_request, parse_json, problem_field, store_logo
from deckgen.serve.project import ProjectState, Snapshot
from deckgen.serve.security import (CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, FORM_TYPES, SESSION_COOKIE,
                                    BodyLimit, BodyTooLarge, Caller, Sessions, csrf_matches, local_caller, same_origin,
                                    token_owner)
from deckgen.serve.settings import ServeSettings, host_name, is_loopback

log = logging.getLogger(__name__)
PPTX_TYPE = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
THUMBNAIL_WIDTH = 320
_STATUS = {RequestError: 400, ConfigError: 422, SlideSelectionError: 422, TemplateError: 422,
           InputFileError: 422, BuildFailed: 422, RenderError: 502, Busy: 503, TimedOut: 504}
_PREFLIGHT_TYPES = ("application/json",)


class DeckFile(FileResponse):
    """A file answer sent in 1 MiB chunks: a deck with pictures is tens of MiB, and each chunk of
    the default 64 KiB costs a hop to a worker thread."""

    chunk_size = 1024 * 1024


class Refused(DeckgenError):
    """The caller may not do this (no or a wrong token, a missing CSRF token, another site)."""

    def __init__(self, message: str, *, status: int, hint: str | None = None):
        self.status = status
        super().__init__(message, hint=hint)


def error_body(exc: DeckgenError) -> dict[str, Any]:
    """The JSON of an error: the CLI's message, its kind, and each problem with the field it concerns."""
    problems = [{"field": problem_field(problem), "message": str(problem), "where": problem.where or None,
                 "hint": problem.hint, "code": problem.code or None} for problem in exc.all_problems()]
    return {"error": {"kind": type(exc).__name__, "message": str(exc), "exit_code": exc.exit_code,
                      "problems": problems}}


def _json_error(status: int, exc: DeckgenError, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=status, headers=headers)


class Thumbnails:
    """PNG thumbnails of library slides, rendered once per slide content (LibreOffice) and cached."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self._lock = threading.Lock()
        self._known: dict[tuple[int, str], Path] = {}

    def warm(self, snapshot: Snapshot) -> None:
        """Render every thumbnail now (in a thread), so the first plan shown need not wait."""
        if not self.enabled or not len(snapshot.workspace.library):
            return
        first = next(iter(snapshot.workspace.library)).key

        def render() -> None:
            try:
                self.png(snapshot, first)
            except DeckgenError as exc:     # e.g. LibreOffice missing: the page shows no images
                log.warning("thumbnails: %s", exc)

        threading.Thread(target=render, name="deckgen-thumbnails", daemon=True).start()

    def png(self, snapshot: Snapshot, key: str) -> Path | None:
        """The thumbnail of slide ``key``; the first call renders every slide of the library."""
        if not self.enabled or snapshot.slide(key) is None:
            return None
        with self._lock:
            found = self._known.get((snapshot.generation, key))
            if found is None:
                slides = list(snapshot.workspace.library)
                cache = open_cache(default_cache_dir() / "renders")
                pngs = slide_thumbnails([SlideRef(s.path, s.slide_id) for s in slides], cache,
                                        width=THUMBNAIL_WIDTH)
                self._known = {(snapshot.generation, s.key): png for s, png in zip(slides, pngs)}
                found = self._known.get((snapshot.generation, key))
            return found


def _static(name: str) -> str:
    return resources.files("deckgen.serve").joinpath("static", name).read_text(encoding="utf-8")


def create_app(settings: ServeSettings) -> FastAPI:
    """Return the app serving ``settings.config``'s project (the pool starts with the app)."""
    settings.check()
    holder: dict[str, Any] = {}
    sessions = Sessions()
    thumbnails = Thumbnails(settings.thumbnails)
    uploads = settings.output / "logos"
    project = ProjectRef.of(settings.config)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        state = ProjectState(settings.config, reload=settings.reload, on_reload=thumbnails.warm)
        thumbnails.warm(state.current)
        pool = BuildPool(settings.output, workers=settings.workers, queue=settings.queue,
                         timeout=settings.build_timeout)
        pool.start(state.current.spec)
        holder.update(state=state, pool=pool)
        try:
            yield
        finally:
            state.close()
            pool.close()

    app = FastAPI(title="deckgen", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Tailored sales decks from the project's slide library: plan, build (.pptx "
                              "or PDF), search. Authenticate with `Authorization: Bearer TOKEN` when the "
                              "server requires tokens.")

    def state() -> ProjectState:
        return holder["state"]

    def pool() -> BuildPool:
        return holder["pool"]

    # -- errors: JSON with the CLI's words, never a stack trace ------------------------------------

    @app.exception_handler(DeckgenError)
    async def deckgen_error(_request: Request, exc: DeckgenError) -> JSONResponse:
        status = getattr(exc, "status", None) or next(
            (code for kind, code in _STATUS.items() if isinstance(exc, kind)), 422)
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Busy) else None
        return _json_error(status, exc, headers)

    @app.exception_handler(BodyTooLarge)
    async def too_large(_request: Request, exc: BodyTooLarge) -> JSONResponse:
        return _json_error(413, _too_large(exc.limit))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _json_error(exc.status_code, RequestError(str(exc.detail)))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s %s", incident, request.method, request.url.path, exc_info=exc)
        return _json_error(500, DeckgenError(f"internal error (incident {incident})",
                                             hint="the server log has the details"))

    def _too_large(limit: int) -> RequestError:
        return RequestError(f"the request is larger than {limit // 1024} KiB", status=413,
                            hint=f"logos may be up to {settings.max_upload // (1024 * 1024)} MiB")

    def too_large_app(limit: int) -> Callable:
        return _json_error(413, _too_large(limit))

    # -- who is asking -----------------------------------------------------------------------------

    def caller(request: Request) -> Caller:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            name = token_owner(header[7:].strip(), settings.tokens)
            if name is None:
                raise Refused("the API token is not valid", status=401, hint="check the token")
            return Caller(name, kind="token")
        user = sessions.user(request.cookies.get(SESSION_COOKIE))
        if user is not None:
            return Caller(user, kind="session")
        if settings.requires_login:
            raise Refused("this server requires an API token", status=401,
                          hint="send 'Authorization: Bearer TOKEN', or log in on the page")
        # without tokens only this machine may ask: a web page whose domain was re-pointed at
        # 127.0.0.1 (DNS rebinding) sends its own name as Host
        if not is_loopback(host_name(request.headers.get("host", ""))):
            raise Refused("this server answers only requests addressed to this machine", status=403,
                          hint=f"open http://127.0.0.1:{settings.port}/")
        return local_caller()

    async def guarded(request: Request) -> Caller:
        """The caller of a state-changing request, after the same-origin and CSRF checks."""
        if not same_origin(request.headers):
            raise Refused("requests from other sites are refused", status=403)
        who = caller(request)
        if who.kind == "token":
            return who
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in FORM_TYPES or who.kind == "session":
            sent = request.headers.get(CSRF_HEADER)
            if sent is None and content_type in FORM_TYPES[:2]:
                sent = (await request.form()).get(CSRF_FIELD)
            if not csrf_matches(sent if isinstance(sent, str) else None, request.cookies.get(CSRF_COOKIE)):
                raise Refused("the form's CSRF token is missing or stale", status=403, hint="reload the page")
        elif content_type not in _PREFLIGHT_TYPES:
            raise RequestError("send the request as application/json", status=415)
        return who

    async def timed(fn: Callable[[], Any]) -> Any:
        try:
            return await asyncio.wait_for(asyncio.to_thread(fn), settings.request_timeout)
        except asyncio.TimeoutError:
            raise TimedOut(f"the request took longer than {settings.request_timeout:g} s",
                           hint="try again in a moment") from None

    # -- the page ----------------------------------------------------------------------------------

    def _csrf(request: Request) -> str:
        return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)

    def _page(text: str, token: str, status: int = 200) -> HTMLResponse:
        response = HTMLResponse(text.replace("{{csrf}}", html.escape(token)), status_code=status,
                                headers={"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                                                                    "frame-ancestors 'none'",
                                         "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"})
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    @app.get("/", include_in_schema=False)
    async def page(request: Request) -> Response:
        try:
            who = caller(request)
        except Refused:
            return RedirectResponse("/login", status_code=303)
        text = _static("index.html").replace("{{user}}", html.escape(who.label))
        if who.kind != "session":     # nothing to log out of
            text = re.sub(r'<form method="post" action="/logout".*?</form>', "", text, flags=re.S)
        return _page(text, _csrf(request))

    @app.get("/login", include_in_schema=False)
    async def login_page(request: Request) -> Response:
        return _page(_static("login.html").replace("{{message}}", ""), _csrf(request))

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        if not same_origin(request.headers):
            raise Refused("requests from other sites are refused", status=403)
        form = await request.form()
        token = _csrf(request)
        if not csrf_matches(str(form.get(CSRF_FIELD) or ""), request.cookies.get(CSRF_COOKIE)):
            return _page(_static("login.html").replace("{{message}}", "The form expired; try again."), token, 403)
        name = token_owner(str(form.get("token") or ""), settings.tokens)
        if name is None:
            return _page(_static("login.html").replace("{{message}}", "That token is not valid."), token, 401)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, sessions.open(name), httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")
        return response

    @app.post("/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        await guarded(request)
        sessions.close(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login" if settings.requires_login else "/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/static/{name}", include_in_schema=False)
    async def static(name: str) -> Response:
        types = {"app.js": "text/javascript", "app.css": "text/css"}
        if name not in types:
            raise StarletteHTTPException(404, "Not Found")
        return Response(_static(name), media_type=types[name], headers={"Cache-Control": "no-cache"})

    # -- the API -----------------------------------------------------------------------------------

    @app.get("/api/recipes", summary="The recipes a deck can be built from")
    async def recipes(request: Request) -> dict[str, Any]:
        caller(request)
        snapshot = state().snapshot()

        def describe() -> list[dict[str, Any]]:
            found = []
            for name in snapshot.recipes:
                try:
                    with snapshot.lock:
                        recipe = snapshot.workspace.recipe(name)
                    found.append({"name": name, "title": recipe.title, "description": recipe.description})
                except DeckgenError as exc:
                    found.append({"name": name, "title": name, "error": " ".join(str(exc).split())})
            return found

        return {"recipes": await timed(describe), "choices": snapshot.choices()}

    @app.get("/api/prospects", summary="The prospects of the project's prospects folder (CRM exports)")
    async def prospects(request: Request) -> dict[str, Any]:
        caller(request)
        return {"prospects": await timed(state().snapshot().prospect_rows)}

    @app.get("/api/library", summary="Search the slide library (BM25 over titles, text and notes)")
    async def library(request: Request, q: str = "", limit: int = 20) -> dict[str, Any]:
        caller(request)
        snapshot = state().snapshot()
        limit = max(1, min(limit, 200))
        if len(q) > 500:
            raise RequestError("the query is longer than 500 characters")

        def find() -> list[dict[str, Any]]:
            if not q.strip():
                return [_slide(s) for s in list(snapshot.workspace.library)[:limit]]
            return [{**_slide(hit.slide), "score": hit.score, "snippet": hit.snippet, "matched": list(hit.matched)}
                    for hit in search(snapshot.documents.values(), q, limit)]

        return {"query": q, "slides": await timed(find)}

    @app.get("/api/thumbnails/{key}.png", summary="A library slide as a PNG thumbnail")
    async def thumbnail(request: Request, key: str) -> Response:
        caller(request)
        snapshot = state().snapshot()
        if snapshot.slide(key) is None:
            raise SlideSelectionError(f"no slide with key '{key}' in the library")
        try:
            png = await asyncio.wait_for(asyncio.to_thread(thumbnails.png, snapshot, key), settings.build_timeout)
        except asyncio.TimeoutError:
            raise TimedOut("rendering thumbnails took too long", hint="try again in a moment") from None
        if png is None:
            raise RequestError("thumbnails are turned off on this server", status=404)
        return FileResponse(png, media_type="image/png", headers={"Cache-Control": "max-age=300"})

    @app.post("/api/logos", summary="Upload a prospect logo; returns the value for the prospect's logo field")
    async def upload_logo(request: Request) -> dict[str, str]:
        await guarded(request)
        form = await request.form(max_files=1, max_fields=4)
        logo = form.get("logo")
        if logo is None or isinstance(logo, str):
            raise RequestError("send the logo as the multipart file field 'logo'")
        data = await logo.read(settings.max_upload + 1)
        if len(data) > settings.max_upload:
            raise _too_large(settings.max_upload)
        return {"logo": await timed(lambda: store_logo(data, uploads))}

    async def _build_request(request: Request) -> inputs.BuildRequest:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        snapshot = state().snapshot()
        if content_type == "multipart/form-data":
            form = await request.form(max_files=1, max_fields=8)
            data = parse_json(str(form.get("request") or "").encode())
            logo = form.get("logo")
            if logo is not None and not isinstance(logo, str):
                content = await logo.read(settings.max_upload + 1)
                if len(content) > settings.max_upload:
                    raise _too_large(settings.max_upload)
                if isinstance(data, dict) and isinstance(data.get("prospect"), dict):
                    data["prospect"]["logo"] = await timed(lambda: store_logo(content, uploads))
        else:
            data = parse_json(await request.body())
        return build_request(data, snapshot.recipes, settings.config.prospects, uploads)

    def _plan(snapshot: Snapshot, parsed: inputs.BuildRequest, *, measure_text: bool = True) -> dict[str, Any]:
        with snapshot.lock:
            plan = snapshot.workspace.plan(parsed.recipe, parsed.prospect, allow_drafts=parsed.allow_drafts)
            if not measure_text:        # a build only needs to know the plan is valid
                return {"slides": len(plan.items)}
            context = {**plan.variables, "prospect": parsed.prospect.as_context(),
                       "today": snapshot.workspace.today, "recipe": plan.recipe}
            overflows = prospect_overflows(snapshot.workspace, plan, parsed.prospect, context, snapshot.fonts,
                                           snapshot.inspections)
        data = plan.to_dict()
        data["problems"] = [{"field": o.field, "severity": "warning", "message": str(o)} for o in overflows]
        for slide in data["slides"]:
            slide.pop("path")
            slide["thumbnail"] = f"/api/thumbnails/{slide['key']}.png" if settings.thumbnails else None
        return data

    _body = {"content": {"application/json": {"schema": {
        "type": "object", "required": ["recipe", "prospect"],
        "properties": {"recipe": {"type": "string", "description": "a recipe name (GET /api/recipes)"},
                       "prospect": {"type": "object", "description": "prospect fields as in a prospect file: "
                                    "company, segment, industry, competitors, objections, contact, values, "
                                    "logo ('upload:ID' from POST /api/logos, or a file under prospects/)"},
                       "pdf": {"type": "boolean"}, "allow_drafts": {"type": "boolean"}}}}}}

    @app.post("/api/plan", summary="The slides a recipe chooses for a prospect, each with its reason",
              openapi_extra={"requestBody": _body})
    async def plan(request: Request) -> dict[str, Any]:
        await guarded(request)
        parsed = await _build_request(request)
        snapshot = state().snapshot()
        return await timed(lambda: _plan(snapshot, parsed))

    @app.post("/api/build", summary="Build the deck: .pptx, or PDF with 'Accept: application/pdf', or JSON "
                                    "links with 'Accept: application/json'",
              openapi_extra={"requestBody": _body}, response_class=Response,
              responses={200: {"content": {PPTX_TYPE: {}, "application/pdf": {}, "application/json": {}}}})
    async def build(request: Request) -> Response:
        who = await guarded(request)
        parsed = await _build_request(request)
        snapshot = state().snapshot()
        # refuse a bad request before it takes a worker
        await timed(lambda: _plan(snapshot, parsed, measure_text=False))
        accept = request.headers.get("accept", "")
        wants_pdf = "application/pdf" in accept
        if wants_pdf:
            parsed = inputs.BuildRequest(parsed.recipe, parsed.prospect, parsed.data, True, parsed.allow_drafts)
        recipe_file = snapshot.workspace.recipe(parsed.recipe).path.resolve()
        started = time.perf_counter()
        built = await pool().build(snapshot.spec, project, parsed, recipe_file, who.label,
                                   config=snapshot.workspace.config)
        headers = {"X-Deckgen-Deck": built.name, "X-Deckgen-Slides": str(built.slides),
                   "Server-Timing": ", ".join(f"{phase};dur={seconds * 1000:.0f}" for phase, seconds in
                                             (*built.timings, ("total", time.perf_counter() - started)))}
        if wants_pdf and built.pdf is not None:
            return DeckFile(built.pdf, media_type="application/pdf", filename=built.pdf.name, headers=headers)
        if "application/json" in accept:
            return JSONResponse({**_deck_links(built.name), "slides": built.slides,
                                 "warnings": list(built.warnings), "built_by": who.label}, headers=headers)
        return DeckFile(built.pptx, media_type=PPTX_TYPE, filename=built.name, headers=headers)

    def _deck_links(name: str) -> dict[str, str]:
        return {"deck": name, "pptx": f"/api/decks/{name}", "pdf": f"/api/decks/{name}/pdf"}

    @app.get("/api/decks", summary="The decks built here recently, newest first")
    async def decks(request: Request, limit: int = 20) -> dict[str, Any]:
        caller(request)
        entries = await timed(lambda: pool().recent(max(1, min(limit, 200))))
        return {"decks": [{**_deck_links(e.name), "recipe": e.recipe, "company": e.prospect.data.get("company"),
                           "built_at": e.built_at, "built_by": e.built_by,
                           "slides": len(e.record.get("slides", ()))} for e in entries]}

    @app.get("/api/decks/{name}", summary="Download a deck built here (.pptx)")
    async def deck(request: Request, name: str) -> Response:
        caller(request)
        path = pool().deck(name)
        if path is None:
            raise RequestError(f"no deck named '{name}' was built here", status=404)
        return DeckFile(path, media_type=PPTX_TYPE, filename=name)

    @app.get("/api/decks/{name}/pdf", summary="The PDF of a deck built here (converted on first request)")
    async def deck_pdf(request: Request, name: str) -> Response:
        caller(request)
        if pool().deck(name) is None:
            raise RequestError(f"no deck named '{name}' was built here", status=404)
        pdf = await pool().pdf(name)
        return DeckFile(pdf, media_type="application/pdf", filename=pdf.name)

    @app.get("/api/status", summary="Library generation, queue and worker processes")
    async def status(request: Request) -> dict[str, Any]:
        caller(request)
        snapshot = state().snapshot()
        return {"deckgen": __version__, "generation": snapshot.generation, "slides": len(snapshot.workspace.library),
                "workers": pool().worker_pids(), "pending": pool().pending}

    return BodyLimit(app, max_body=settings.max_body, max_upload=settings.max_upload,   # type: ignore[return-value]
                     on_too_large=too_large_app)


def _slide(slide: Any) -> dict[str, Any]:
    return {"key": slide.key, "title": slide.title, "module": slide.path.name, "tags": dict(slide.tags),
            "thumbnail": f"/api/thumbnails/{slide.key}.png"}


def run(settings: ServeSettings, *, on_ready: Callable[[], None] | None = None) -> None:
    """Serve until interrupted (uvicorn, one process; builds run in the pool's processes)."""
    import uvicorn

    app = create_app(settings)
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="info",
                            server_header=False, timeout_keep_alive=5, limit_concurrency=1000)
    uvicorn.Server(config).run()
