"""The prospect a deck is made for: read from YAML/JSON and `--set` overrides, validated up front."""
from __future__ import annotations

import keyword
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from PIL import UnidentifiedImageError

from deckgen.errors import ConfigError, InputFileError
from deckgen.svgimage import SvgError, is_svg, load_svg
from deckgen.fsutil import display_path
from deckgen.images import ImageProblem, open_image, read_image_file
from deckgen.problems import Location, Problems, as_location, did_you_mean
from deckgen.safepaths import MAX_PATH_BYTES
from deckgen.yamlio import LineDict, describe, file_mapping, load_file, parse_yaml, plain, where

FIELDS = ("company", "crm_id", "logo", "segment", "industry", "competitors", "objections", "contact", "values")
REQUIRED = ("company", "segment")
_TEXT_FIELDS = ("company", "crm_id", "segment", "industry")
LIST_FIELDS = ("competitors", "objections")   # fields holding lists of names
_SET_KEY = re.compile(r"^[^.=\s]+(\.[^.=\s]+)*$")
LOGO_POLICIES = ("inside", "anywhere")


@dataclass(frozen=True)
class LogoPolicy:
    """Where a prospect's ``logo:`` may be read from (``logos:`` in deckgen.yaml).

    By default (``inside``) the logo must resolve, symbolic links followed, inside the prospect's
    own folder (the folder of its file or CSV export; the current folder for ``--set``) or one of
    ``folders`` (the project's prospects folder, and any the config lists). ``anywhere`` reads
    any path, absolute or through ``..`` or a link: for a trusted, single-user project only.
    """

    anywhere: bool = False
    folders: tuple[Path, ...] = ()
    config: str = "deckgen.yaml"    # the file that sets the policy, for messages

    def refusal(self, path: Path, base_dir: Path) -> str | None:
        """Why the resolved ``path`` may not be read under this policy, or None when it may."""
        if self.anywhere:
            return None
        roots = (base_dir.resolve(), *(folder.resolve() for folder in self.folders))
        if any(path.is_relative_to(root) for root in roots):
            return None
        shown = ", ".join(_folder_name(root) for root in dict.fromkeys(roots))
        return f"is outside the folders logos may be read from ({shown})"


@dataclass(frozen=True)
class Prospect:
    """A validated prospect; ``as_context()`` is what recipes' conditions and slide templates see."""

    company: str
    segment: str
    logo: Path | None = None
    industry: str | None = None
    competitors: tuple[str, ...] = ()
    objections: tuple[str, ...] = ()
    contact: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    source: str = ""
    crm_id: str | None = None       # the account's id in the CRM export, when it has one
    # where each field was given (file:line, or the --set option), for messages about its value
    locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)

    def location_of(self, name: str) -> Location:
        """Where field ``name`` was given: its line, the --set option, else the prospect's source."""
        return self.locations.get(name) or as_location(self.source or "prospect")
    field_origin: Mapping[str, str] = field(default_factory=dict, compare=False)   # field -> "column 'Segment'"

    def as_context(self) -> dict[str, Any]:
        """Return the prospect as plain data (every field present; lists as lists, logo as a path string)."""
        return {
            "company": self.company,
            "crm_id": self.crm_id,
            "logo": str(self.logo) if self.logo else None,
            "segment": self.segment,
            "industry": self.industry,
            "competitors": list(self.competitors),
            "objections": list(self.objections),
            "contact": plain(self.contact),
            "values": plain(self.values),
        }


def unknown_field_hint(name: str) -> str:
    """The hint for a template or file that names a prospect field that does not exist."""
    return did_you_mean(name, FIELDS) or "prospect fields: " + ", ".join(FIELDS)


def load_prospect(path: str | os.PathLike | None = None, overrides: Sequence[str] = (),
                  logos: LogoPolicy | None = None) -> Prospect:
    """Return the prospect of a YAML/JSON file (optional) with ``--set key=value`` overrides applied.

    Relative logo paths are resolved against the prospect file's folder (the current folder for
    ``--set`` values), and the logo must lie where ``logos`` allows (default: inside that folder).
    Every problem is reported at once in one ConfigError naming file:line.
    """
    if path is None:
        data = LineDict(file="--set")
        overridden = apply_overrides(data, overrides)
        return prospect_from_data(data, base_dir=Path.cwd(), label="--set", overridden=overridden,
                                  set_dir=Path.cwd(), logos=logos)
    if Path(path).suffix.lower() == ".csv":
        label = display_path(path)
        raise InputFileError("a CSV export holds many prospects; a deck is made for one prospect file",
                             where=label, hint="build a deck per row with run_batch, or write the prospect as YAML "
                                               "or JSON", code="prospects-export", subject=label)
    return prospect_from_file(path, load_file(path), overrides, logos)


def prospect_from_file(path: str | os.PathLike, data: Any, overrides: Sequence[str] = (),
                       logos: LogoPolicy | None = None) -> Prospect:
    """Return the prospect of the YAML/JSON file ``path`` whose parsed content is ``data``."""
    label = display_path(path)
    data = file_mapping(data, label, "a prospect must be a mapping of fields (company, segment, ...)")
    overridden = apply_overrides(data, overrides)
    return prospect_from_data(data, base_dir=Path(path).resolve().parent, label=label,
                              overridden=overridden, set_dir=Path.cwd(), logos=logos)


def apply_overrides(data: dict, overrides: Iterable[str]) -> dict[str, str]:
    """Apply ``dotted.key=value`` overrides (value parsed as YAML) to ``data`` in place.

    Returns {top-level field: the --set option that changed it} so problems can cite the option.
    """
    touched: dict[str, str] = {}
    problems = Problems()
    for option in overrides:
        name, sep, raw = option.partition("=")
        name = name.strip()
        origin = f"--set {option}"
        if not sep or not _SET_KEY.match(name):
            problems.error(origin, "expected KEY=VALUE with a dotted key",
                           "e.g. --set values.employees=15000")
            continue
        try:
            value = plain(parse_yaml(raw, origin)) if raw.strip() else None
        except ConfigError as exc:
            reason = exc.message.removeprefix("invalid YAML: ")
            problems.error(origin, f"the value is not valid YAML: {reason}",
                           "quote it, e.g. --set 'company=\"Globex: East\"'")
            continue
        parts = name.split(".")
        node = data
        for depth, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                problems.error(origin, f"'{'.'.join(parts[:depth + 1])}' is {describe(child)}, "
                                       f"not a mapping, so it has no '{parts[depth + 1]}'")
                break
            node = child
        else:
            node[parts[-1]] = value
            touched[parts[0]] = origin
    problems.raise_errors("invalid --set options")
    return touched


def prospect_from_data(data: Mapping[str, Any], *, base_dir: Path, label: str,
                       overridden: Mapping[str, str] | None = None,
                       set_dir: Path | None = None, origins: Mapping[str, str] | None = None,
                       logos: LogoPolicy | None = None) -> Prospect:
    """Validate plain or line-tracked prospect data (e.g. one CSV row) and return the Prospect.

    ``label`` names the data in messages when it has no file lines ("accounts.csv row 7");
    ``origins`` names where a field came from within it (field -> "column 'Segment'");
    ``logos`` says where the logo may be read from (default: inside ``base_dir``).
    """
    overridden = overridden or {}
    problems = Problems()

    def at(key: str) -> Location | str:
        return overridden.get(key) or where(data, key, label)

    for key in data:
        if key not in FIELDS:
            problems.error(at(key), f"unknown field '{key}'",
                           did_you_mean(key, FIELDS) or "known fields: " + ", ".join(FIELDS))

    text: dict[str, str | None] = {}
    for key in _TEXT_FIELDS:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if key in REQUIRED:
                problems.error(at(key) if key in data else where(data, None, label),
                               f"missing required field '{key}'", f"add '{key}: ...'",
                               code="missing-field", subject=key)
            text[key] = None
        elif not isinstance(value, str):
            problems.error(at(key), f"'{key}' must be text, found {describe(value)}",
                           "quote it in the file")
            text[key] = None
        else:
            text[key] = value.strip()

    lists: dict[str, tuple[str, ...]] = {}
    for key in LIST_FIELDS:
        lists[key] = _text_list(data.get(key), key, at(key), problems)

    contact = data.get("contact")
    if contact is None:
        contact = {}
    elif not isinstance(contact, Mapping):
        problems.error(at("contact"), f"'contact' must be a mapping (name, title, email...), "
                                      f"found {describe(contact)}")
        contact = {}
    else:
        for key, value in contact.items():
            if isinstance(value, (Mapping, list)):
                problems.error(where(contact, key, at("contact")),
                               f"contact '{key}' must be a single value, found {describe(value)}")

    values = data.get("values")
    if values is None:
        values = {}
    elif not isinstance(values, Mapping):
        problems.error(at("values"), f"'values' must be a mapping of names to values, "
                                     f"found {describe(values)}")
        values = {}
    else:
        for key in values:
            if not (isinstance(key, str) and key.isidentifier() and not keyword.iskeyword(key)):
                problems.error(where(values, key, at("values")),
                               f"value name '{key}' cannot be used in a slide template",
                               "use letters, digits and _ only, e.g. annual_savings")

    logo = _logo_path(data.get("logo"), at("logo"),
                      (set_dir or base_dir) if "logo" in overridden else base_dir, problems,
                      logos or LogoPolicy())

    problems.raise_errors(f"{label}: invalid prospect")
    return Prospect(company=text["company"] or "", segment=text["segment"] or "", logo=logo,
                    industry=text["industry"], competitors=lists["competitors"],
                    objections=lists["objections"], contact=plain(contact), values=plain(values),
                    source=label, crm_id=text["crm_id"],
                    locations={key: as_location(at(key)) for key in data if isinstance(key, str)},
                    field_origin=dict(origins or {}))


def _text_list(value: Any, key: str, location: str, problems: Problems) -> tuple[str, ...]:
    """Return a field that is text or a list of text as a tuple (a single text is one item)."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        problems.error(location, f"'{key}' must be a list of names, found {describe(value)}")
        return ()
    items = []
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.error(where(value, index, location),
                           f"each of '{key}' must be a name, found {describe(item)}")
        else:
            items.append(item.strip())
    return tuple(items)


def _logo_path(value: Any, location: str, base_dir: Path, problems: Problems,
               logos: LogoPolicy) -> Path | None:
    """Return the logo as an absolute path to a readable image where ``logos`` allows, or None
    (reporting why)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.error(location, f"'logo' must be a path to an image file, found {describe(value)}")
        return None
    problem = logo_path_problem(value.strip())
    if problem:
        problems.error(location, f"logo file '{_shown(value)}' {problem}", "give the path of a PNG or JPEG file")
        return None
    try:
        path = (base_dir / value.strip()).resolve()
        found = path.is_file()
    except (OSError, RuntimeError) as exc:   # RuntimeError: a symlink loop
        problems.error(location, f"logo file '{_shown(value)}' cannot be used: {exc.strerror if isinstance(exc, OSError) else exc}",
                       "give the path of a PNG or JPEG file")
        return None
    refusal = logos.refusal(path, base_dir)
    if refusal:
        # checked before the file is looked at: whether a file exists elsewhere is not told
        problems.error(location, f"logo file '{_shown(value)}' {refusal}",
                       f"copy the logo into one of them, or add its folder to 'logos:' in {logos.config}")
        return None
    if not found:
        problems.error(location, f"logo file '{_shown(value)}' not found", f"looked for {_shown(str(path))}")
        return None
    if is_svg(path):
        try:
            load_svg(path.read_bytes())
        except (SvgError, OSError) as exc:
            problems.error(location, f"logo file '{value}' is not a usable SVG: {exc}",
                           "save it again from a vector editor as plain SVG, or use a PNG")
            return None
        return path
    try:
        with open_image(read_image_file(path)) as image:
            image.verify()
    except ImageProblem as exc:
        problems.error(location, f"logo file '{_shown(value)}' cannot be used: {exc}",
                       "use a PNG or JPEG logo of ordinary size")
        return None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        problems.error(location, f"logo file '{_shown(value)}' is not an image Pillow can read",
                       f"use a PNG, JPEG or SVG ({exc.__class__.__name__})")
        return None
    return path


def logo_path_problem(text: str) -> str | None:
    """Why ``text`` cannot be a file path at all (a NUL, a control character, too long), or None."""
    if any(ord(ch) < 32 for ch in text):
        return "has a control character (or NUL) in its name"
    if len(text.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
        return f"has a name longer than {MAX_PATH_BYTES} bytes"
    return None


def _folder_name(folder: Path) -> str:
    name = display_path(folder)
    return "the current folder" if name in ("", ".") else f"{name}/"


def _shown(text: str) -> str:
    """``text`` as a message may quote it: at most 120 characters."""
    return text if len(text) <= 120 else text[:117] + "..."
