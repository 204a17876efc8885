"""Request data -> validated recipe name and Prospect, with every problem tied to the form field
it concerns and worded as the CLI words it. No request value ever becomes a path outside the
project: recipes are names of the recipes folder, logos are uploads or files under prospects/."""
from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from PIL import Image, UnidentifiedImageError

from deckgen.errors import ConfigError, DeckgenError
from deckgen.problems import Location, Problem
from deckgen.fsutil import write_bytes_atomic
from deckgen.prospect import FIELDS, LogoPolicy, Prospect, prospect_from_data
from deckgen.problems import did_you_mean
from deckgen.yamlio import LineDict

REQUEST_KEYS = ("recipe", "prospect", "pdf", "allow_drafts")
UPLOAD_PREFIX = "upload:"
LOGO_SUFFIXES = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "BMP": ".bmp", "TIFF": ".tiff"}
MAX_LOGO_PIXELS = 40_000_000        # a decompression bomb is refused before it is decoded
_UPLOAD_ID = re.compile(r"^[0-9a-f]{64}$")
_FIELD_NAMED = re.compile(r"'(" + "|".join(FIELDS) + r")'|\b(" + "|".join(FIELDS) + r") '")


class RequestError(DeckgenError):
    """A request the server cannot take as it is (bad JSON, unknown keys, a refused value)."""

    def __init__(self, message: str, where: str | None = None, hint: str | None = None, *, status: int = 400):
        self.status = status
        super().__init__(message, where, hint)


class _FieldDict(LineDict):
    """Prospect data from a request: problems name the field ("prospect.segment") as a file's
    problems name its line."""

    def where(self, key: Any = None) -> Location:
        return Location("prospect" if key is None else f"prospect.{key}")


@dataclass(frozen=True)
class BuildRequest:
    """A plan or build request, validated: a recipe of the recipes folder and the prospect."""

    recipe: str
    prospect: Prospect
    data: dict[str, Any]            # the prospect as sent (logo as given), for the manifest
    pdf: bool = False
    allow_drafts: bool = False


def parse_json(body: bytes) -> Any:
    """Return the JSON value of a request body; RequestError for anything else."""
    if not body.strip():
        raise RequestError("the request body is empty", hint='send JSON: {"recipe": NAME, "prospect": {...}}')
    try:
        return json.loads(body)
    except RecursionError:
        raise RequestError("the JSON is nested too deeply") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"the request body is not valid JSON ({exc})",
                           hint='send JSON: {"recipe": NAME, "prospect": {...}}') from None


def build_request(data: Any, recipes: list[str], prospects_folder: Path, uploads: Path) -> BuildRequest:
    """Validate a plan/build request: ``{"recipe": NAME, "prospect": {...}}``."""
    if not isinstance(data, Mapping):
        raise RequestError('the request must be a JSON object: {"recipe": NAME, "prospect": {...}}')
    unknown = [key for key in data if key not in REQUEST_KEYS]
    if unknown:
        raise RequestError(f"unknown request key '{unknown[0]}'",
                           hint=did_you_mean(unknown[0], REQUEST_KEYS) or "keys: " + ", ".join(REQUEST_KEYS))
    recipe = recipe_name(data.get("recipe"), recipes)
    raw = data.get("prospect")
    if not isinstance(raw, Mapping):
        raise ConfigError("'prospect' must be an object of prospect fields (company, segment, ...)",
                          where="prospect", hint="e.g. {\"company\": \"Globex\", \"segment\": \"enterprise\"}")
    fields = _FieldDict({key: value for key, value in raw.items()}, file="prospect")
    problems: list[Problem] = []
    if fields.get("logo") not in (None, ""):
        try:
            fields["logo"] = str(logo_path(fields["logo"], prospects_folder, uploads))
        except ConfigError as exc:      # reported with the other fields' problems
            problems += exc.all_problems()
            del fields["logo"]
    elif "logo" in fields:
        del fields["logo"]
    try:
        # the server's own policy, whatever deckgen.yaml's `logos:` says: a logo is an upload or a
        # file under the prospects folder (logo_path checked which)
        prospect = prospect_from_data(fields, base_dir=prospects_folder, label="prospect",
                                      logos=LogoPolicy(folders=(uploads,)))
    except ConfigError as exc:
        problems += exc.all_problems()
    if len(problems) == 1:
        raise ConfigError.from_problem(problems[0])
    if problems:
        raise ConfigError(f"invalid prospect ({len(problems)} problems)", where="prospect", problems=problems)
    prospect = replace(prospect, source="prospect")   # plan and build messages start with it
    return BuildRequest(recipe=recipe, prospect=prospect, data=dict(raw),
                        pdf=_flag(data, "pdf"), allow_drafts=_flag(data, "allow_drafts"))


def _flag(data: Mapping, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise RequestError(f"'{key}' must be true or false, found {type(value).__name__}")
    return value


def recipe_name(value: Any, recipes: list[str]) -> str:
    """Return ``value`` when it names a recipe of the recipes folder (never a path)."""
    if not isinstance(value, str) or not value.strip():
        raise RequestError("missing 'recipe': the name of a recipe", where="recipe",
                           hint="recipes: " + ", ".join(recipes) if recipes else None)
    name = value.strip()
    if name not in recipes:
        raise RequestError(f"no recipe named '{name}'", where="recipe", status=404,
                           hint=did_you_mean(name, recipes) or ("recipes: " + ", ".join(recipes)
                                                                if recipes else "the recipes folder has no recipes"))
    return name


def logo_path(value: Any, prospects_folder: Path, uploads: Path) -> Path:
    """Return the file of a logo value: ``upload:ID`` (from POST /api/logos) or a file under the
    prospects folder, as a CRM export names it (``logos/globex.png``). Anything else is refused."""
    if not isinstance(value, str):
        raise ConfigError(f"'logo' must be text (an upload id or a file under the prospects folder), "
                          f"found {type(value).__name__}", where="prospect.logo")
    text = value.strip()
    if text.startswith(UPLOAD_PREFIX):
        upload_id = text[len(UPLOAD_PREFIX):]
        matches = sorted(uploads.glob(f"{upload_id}.*")) if _UPLOAD_ID.match(upload_id) else []
        if not matches:
            raise ConfigError(f"logo upload '{upload_id}' not found", where="prospect.logo",
                              hint="upload the logo again (POST /api/logos)")
        return matches[0]
    folder = prospects_folder.resolve()
    target = (folder / text).resolve()
    if Path(text).is_absolute() or not target.is_relative_to(folder):
        raise ConfigError(f"logo '{text}' is outside the prospects folder", where="prospect.logo",
                          hint="upload the logo (the logo field of the page, or POST /api/logos), "
                               "or name a file under the prospects folder")
    if not target.is_file():
        raise ConfigError(f"logo file '{text}' not found in the prospects folder", where="prospect.logo",
                          hint="upload the logo instead")
    return target


def store_logo(data: bytes, uploads: Path) -> str:
    """Check that ``data`` is an image Pillow reads and store it by content hash; return its value
    for the ``logo`` field (``upload:<sha256>``)."""
    if not data:
        raise ConfigError("the logo file is empty", where="prospect.logo", hint="choose a PNG or JPEG")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise ConfigError(f"the logo is {image.width}x{image.height} pixels, more than a slide needs",
                                  where="prospect.logo", hint="scale it below 40 megapixels")
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ConfigError("the logo is not an image Pillow can read", where="prospect.logo",
                          hint=f"use a PNG or JPEG ({exc.__class__.__name__})") from None
    suffix = LOGO_SUFFIXES.get(kind or "")
    if suffix is None:
        raise ConfigError(f"logos must be PNG, JPEG, GIF, BMP or TIFF, not {kind}", where="prospect.logo")
    digest = hashlib.sha256(data).hexdigest()
    target = uploads / f"{digest}{suffix}"
    if not target.is_file():
        uploads.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, data)
    return UPLOAD_PREFIX + digest


def problem_field(problem: Problem) -> str | None:
    """Return the form field a problem concerns: its location ("prospect.segment" -> "segment",
    "recipe"), else the first prospect field its message names."""
    where = problem.location.file
    if where.startswith("prospect."):
        return where.split(".")[1]
    if where == "recipe":
        return "recipe"
    named = _FIELD_NAMED.search(problem.message)
    if named:
        return named.group(1) or named.group(2)
    return None
