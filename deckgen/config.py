"""The project config `deckgen.yaml`: found by walking up from a folder, validated all at once."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

import jinja2

from deckgen.sandbox import user_sandbox

from deckgen.errors import ConfigError
from deckgen.messagemap import MessageMap, load_message_map
from deckgen.prospect import FIELDS as PROSPECT_FIELDS, LOGO_POLICIES, LogoPolicy
from deckgen.fsutil import display_path
from deckgen.problems import Location, Problems, did_you_mean
from deckgen.yamlio import describe, file_mapping, load_file, where

CONFIG_NAME = "deckgen.yaml"
DEFAULT_LIBRARY = "slide_library"
DEFAULT_RECIPES = "recipes"
DEFAULT_PROSPECTS = "prospects"
DEFAULT_OUTPUT = "build"
DEFAULT_FILENAME = "{{ prospect.company | slug }}-{{ recipe }}.pptx"

_TOP_KEYS = ("library", "recipes", "prospects", "output", "message_map", "brand", "batch", "example_prospect",
             "serve", "scoreboard", "logos")
_BRAND_KEYS = ("fonts", "colors", "template")
_TEMPLATE_SUFFIXES = (".potx", ".pptx", ".potm", ".pptm")
_BATCH_KEYS = ("filename", "columns", "workers")
_SCOREBOARD_KEYS = ("database", "user", "hash_prospect_names", "report", "outcomes")
_OUTCOMES_KEYS = ("columns", "stages")
DEFAULT_DATABASE = ".deckgen/scoreboard.sqlite"
OUTCOME_FIELDS = ("account", "account_id", "opportunity", "stage", "won", "amount", "close_date")
OUTCOME_RESULTS = ("won", "lost", "open")
# CRM stage names deckgen knows without configuration (Salesforce's and HubSpot's defaults)
DEFAULT_STAGES = {
    "won": ("closed won", "won", "closedwon"),
    "lost": ("closed lost", "lost", "closedlost"),
    "open": ("prospecting", "qualification", "needs analysis", "value proposition", "id. decision makers",
             "perception analysis", "proposal/price quote", "proposal", "negotiation/review",
             "negotiation", "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
             "decisionmakerboughtin", "contractsent", "open"),
}
_OUTPUT_KEYS = ("folder", "notes", "hidden", "title", "subject", "keywords", "author", "company")
_OUTPUT_TEMPLATES = ("title", "subject", "keywords")
_OUTPUT_TEXTS = ("author", "company")
NOTES_POLICIES = ("keep", "strip")
HIDDEN_POLICIES = ("keep", "drop")
# Speaker notes carry internal coaching and hidden slides are back-up material: a deck built
# for a customer leaves both out unless the project (or the command line) says otherwise.
DEFAULT_NOTES = "strip"
DEFAULT_HIDDEN = "drop"
_SERVE_KEYS = ("tokens",)
_MIN_TOKEN_LENGTH = 16
_HEX_COLOR = re.compile(r"^#?([0-9A-Fa-f]{6})$")


@dataclass(frozen=True)
class BrandConfig:
    """The brand palette slides should stick to (empty = not checked), and the corporate template
    decks are assembled onto in template mode (None = source formatting only)."""

    fonts: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()   # upper-case RRGGBB, no '#'
    template: Path | None = None


@dataclass(frozen=True)
class BatchConfig:
    """How `deckgen batch` names decks, maps CRM columns to prospect fields and spreads work."""

    filename: str = DEFAULT_FILENAME
    columns: Mapping[str, str] = field(default_factory=dict)   # CSV column -> dotted prospect field
    workers: int | None = None                                # None = one per CPU


@dataclass(frozen=True)
class OutputConfig:
    """What goes into a built deck besides its slides: notes and hidden-slide policies and the
    document properties (``title``/``subject``/``keywords`` are jinja templates; None = default)."""

    notes: str = DEFAULT_NOTES                 # "keep" | "strip"
    hidden: str = DEFAULT_HIDDEN               # "keep" | "drop"
    title: str | None = None
    subject: str | None = None
    keywords: str | None = None
    author: str = ""
    company: str = ""


@dataclass(frozen=True)
class ServeConfig:
    """Who may use `deckgen serve` when it listens beyond loopback: API token -> the name builds record."""

    tokens: Mapping[str, str] = field(default_factory=dict)    # user or system name -> token


@dataclass(frozen=True)
class OutcomesConfig:
    """How `deckgen outcomes import` reads a CRM opportunity export."""

    columns: Mapping[str, str] = field(default_factory=dict)   # file column -> outcome field
    stages: Mapping[str, str] = field(default_factory=dict)    # case-folded stage -> won | lost | open


@dataclass(frozen=True)
class ScoreboardConfig:
    """Where builds are logged and who logs them (`scoreboard:` in deckgen.yaml)."""

    database: str | None = None          # SQLAlchemy URL; None = no deck log
    setting: Location | str = "scoreboard.database"  # where the database was set, for messages
    user: str | None = None
    hash_prospect_names: bool = False
    report: Path | None = None           # the report folder the catalog links to
    outcomes: OutcomesConfig = field(default_factory=lambda: OutcomesConfig(stages=default_stages()))


def default_stages() -> dict[str, str]:
    """Return the stage names known without configuration, case-folded, with their result."""
    return {stage: result for result, stages in DEFAULT_STAGES.items() for stage in stages}


def database_url(value: str, root: Path) -> str:
    """Return the SQLAlchemy URL of a ``scoreboard.database`` value: a URL, or a SQLite file path
    relative to ``root``. ``postgresql://`` URLs use the psycopg driver."""
    if "://" in value:
        scheme, _, rest = value.partition("://")
        if scheme in ("postgresql", "postgres"):
            return f"postgresql+psycopg://{rest}"
        return value
    return "sqlite:///" + (root / value).resolve().as_posix()


@dataclass(frozen=True)
class ProjectConfig:
    """A validated project config; every path is absolute."""

    root: Path
    file: Path | None
    library: Path
    recipes: Path
    prospects: Path
    output: Path
    brand: BrandConfig = field(default_factory=BrandConfig)
    batch: BatchConfig = field(default_factory=BatchConfig)
    example_prospect: Path | None = None    # fills template tags in titles of listings and the catalog
    serve: ServeConfig = field(default_factory=ServeConfig)
    scoreboard: ScoreboardConfig = field(default_factory=ScoreboardConfig)
    deck: OutputConfig = field(default_factory=OutputConfig)   # the `output:` settings besides the folder
    message_map: MessageMap | None = None     # the declared message map, validated; None = not declared
    logos: LogoPolicy = field(default_factory=LogoPolicy)   # where prospects' logos may be read from

    @classmethod
    def defaults(cls, root: str | os.PathLike) -> ProjectConfig:
        """Return the config used when there is no deckgen.yaml: default folders under ``root``."""
        base = Path(root).resolve()
        return cls(root=base, file=None, library=base / DEFAULT_LIBRARY, recipes=base / DEFAULT_RECIPES,
                   prospects=base / DEFAULT_PROSPECTS, output=base / DEFAULT_OUTPUT,
                   logos=LogoPolicy(folders=(base / DEFAULT_PROSPECTS,)))

    @property
    def input_folders(self) -> tuple[Path, ...]:
        """The folders deckgen reads and never writes into: library, recipes, prospects."""
        return (self.library, self.recipes, self.prospects)

    def with_folders(self, *, library: str | os.PathLike | None = None,
                     recipes: str | os.PathLike | None = None) -> ProjectConfig:
        """Return a copy whose library and/or recipes folder is replaced (e.g. from --library/--recipes)."""
        return replace(self, library=Path(library).resolve() if library is not None else self.library,
                       recipes=Path(recipes).resolve() if recipes is not None else self.recipes)


def find_project(start: str | os.PathLike | None = None) -> Path | None:
    """Return the deckgen.yaml in ``start`` (default: the current folder) or its nearest parent, or None."""
    folder = Path(start if start is not None else Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        config = candidate / CONFIG_NAME
        if config.is_file():
            return config
    return None


def project_config(start: str | os.PathLike | None = None, *, library: str | os.PathLike | None = None,
                   recipes: str | os.PathLike | None = None) -> ProjectConfig:
    """Return the validated config of the project around ``start`` (its deckgen.yaml, else the
    defaults rooted there), with the library and/or recipes folder overridden when given."""
    found = find_project(start)
    config = ProjectConfig.defaults(start if start is not None else Path.cwd()) if found is None else load_config(found)
    if found is None and library is None and not config.library.is_dir():
        # every command that needs a project says the same thing outside one
        raise ConfigError(f"no deckgen project here: no {CONFIG_NAME} in {display_path(config.root) or '.'} or "
                          f"its parent folders, and no {DEFAULT_LIBRARY}/ folder",
                          hint="run deckgen in your project's folder", code="no-project")
    if library is not None or recipes is not None:
        config = config.with_folders(library=library, recipes=recipes)
    return config


def input_folders_around(start: str | os.PathLike | None = None) -> tuple[Path, ...]:
    """The input folders of the project around ``start`` (for commands that need no project, to
    refuse writing into them); the default folders when its deckgen.yaml cannot be read."""
    try:
        return project_config(start).input_folders
    except ConfigError:
        return ProjectConfig.defaults(start if start is not None else Path.cwd()).input_folders


def load_config(path: str | os.PathLike) -> ProjectConfig:
    """Read and validate a deckgen.yaml; raise one ConfigError listing every problem with its line."""
    config_path = Path(path).resolve()
    label = display_path(path)
    data = file_mapping(load_file(config_path), label,
                        "the project config must be a mapping (library: ..., recipes: ...)")
    root = config_path.parent
    problems = Problems()
    problems.unknown_keys(data, _TOP_KEYS, default_where=label)

    def folder(key: str, default: str, must_exist: bool, mapping: Mapping = data) -> Path:
        value = mapping.get(key, default)
        name = "output.folder" if mapping is not data else key
        if not isinstance(value, str) or not value.strip():
            problems.error(where(mapping, key, label), f"'{name}' must be a folder path, found {describe(value)}")
            return root / default
        resolved = (root / value).resolve()
        if must_exist and not resolved.is_dir():
            problems.error(where(mapping, key, label), f"{key} folder '{value}' not found",
                           f"looked for {resolved}")
        elif resolved.exists() and not resolved.is_dir():
            problems.error(where(mapping, key, label), f"'{value}' is a file, {name} must be a folder")
        return resolved

    library = folder("library", DEFAULT_LIBRARY, must_exist=True)
    recipes = folder("recipes", DEFAULT_RECIPES, must_exist=True)
    prospects = folder("prospects", DEFAULT_PROSPECTS, must_exist="prospects" in data)
    output_section = data.get("output")
    deck = OutputConfig()
    if isinstance(output_section, Mapping):
        deck = _output(output_section, where(data, "output", label), problems)
        folder_data, folder_key = output_section, "folder"
    else:
        folder_data, folder_key = data, "output"
    output = folder(folder_key, DEFAULT_OUTPUT, must_exist=False, mapping=folder_data)
    brand = _brand(data.get("brand"), where(data, "brand", label), problems, root)
    batch = _batch(data.get("batch"), where(data, "batch", label), problems)
    serve = _serve(data.get("serve"), where(data, "serve", label), problems)
    example = data.get("example_prospect")
    example_path = None
    if example is not None:
        if not isinstance(example, str) or not example.strip():
            problems.error(where(data, "example_prospect", label),
                           f"'example_prospect' must be a prospect file path, found {describe(example)}")
        elif not (root / example).is_file():
            problems.error(where(data, "example_prospect", label), f"example prospect file '{example}' not found",
                           f"looked for {(root / example).resolve()}")
        else:
            example_path = (root / example).resolve()
    scoreboard = _scoreboard(data.get("scoreboard"), where(data, "scoreboard", label), root, label, problems)
    map_path = _map_path(data, root, label, problems)
    logos = _logos(data, root, prospects, label, problems)
    problems.raise_errors(f"{label}: invalid project config")
    # the map is part of the config: a command that reads the config sees its problems too
    message_map = load_message_map(map_path) if map_path is not None else None
    return ProjectConfig(root=root, file=config_path, library=library, recipes=recipes,
                         prospects=prospects, output=output, brand=brand, batch=batch,
                         example_prospect=example_path, serve=serve, scoreboard=scoreboard, deck=deck,
                         message_map=message_map, logos=logos)


def _logos(data: Mapping, root: Path, prospects: Path, label: str, problems: Problems) -> LogoPolicy:
    """``logos:``: ``inside`` (default: a prospect's folder and the prospects folder), ``anywhere``,
    or a list of further folders (relative to deckgen.yaml, or absolute) logos may come from."""
    value = data.get("logos", "inside")
    at = where(data, "logos", label)
    if value == "anywhere":
        return LogoPolicy(anywhere=True, config=label)
    if value == "inside":
        return LogoPolicy(folders=(prospects,), config=label)
    if not isinstance(value, list) or not value:
        problems.error(at, f"'logos' must be one of {', '.join(LOGO_POLICIES)}, or a list of folders, "
                           f"found {describe(value)}",
                       (did_you_mean(value, LOGO_POLICIES) if isinstance(value, str) else None)
                       or "write logos: inside (the default), logos: anywhere, or logos: [FOLDER, ...]")
        return LogoPolicy(folders=(prospects,), config=label)
    folders = [prospects]
    for index, name in enumerate(value):
        item_at = where(value, index, at)
        if not isinstance(name, str) or not name.strip():
            problems.error(item_at, f"each of 'logos' must be a folder path, found {describe(name)}")
            continue
        resolved = (root / name.strip()).resolve()
        if not resolved.is_dir():
            problems.error(item_at, f"logos folder '{name}' not found", f"looked for {resolved}")
        elif resolved == Path(resolved.anchor):
            problems.error(item_at, f"logos folder '{name}' is the whole file system",
                           "name the folder that holds the logos, or write logos: anywhere")
        else:
            folders.append(resolved)
    return LogoPolicy(folders=tuple(folders), config=label)


def _map_path(data: Mapping, root: Path, label: str, problems: Problems) -> Path | None:
    """Return the message map file named by ``message_map:`` (None when not declared)."""
    value = data.get("message_map")
    if value is None:
        return None
    at = where(data, "message_map", label)
    if not isinstance(value, str) or not value.strip():
        problems.error(at, f"'message_map' must be a file path, found {describe(value)}")
        return None
    path = (root / value).resolve()
    if not path.is_file():
        problems.error(at, f"message map file '{value}' not found",
                       "write one with `deckgen map init`, or remove 'message_map:'")
        return None
    return path


def _section(value: Any, name: str, location: str, keys: tuple[str, ...], problems: Problems) -> Mapping:
    """Return a config sub-mapping (empty when absent), reporting a wrong type or unknown keys."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.error(location, f"'{name}' must be a mapping, found {describe(value)}")
        return {}
    problems.unknown_keys(value, keys, default_where=location, context=f"'{name}'")
    return value


def _brand(value: Any, location: str, problems: Problems, root: Path) -> BrandConfig:
    data = _section(value, "brand", location, _BRAND_KEYS, problems)
    template = _template(data.get("template"), where(data, "template", location), problems, root)
    fonts = _names(data.get("fonts"), "brand.fonts", where(data, "fonts", location), problems)
    colors = []
    raw_colors = data.get("colors")
    if raw_colors is not None and not isinstance(raw_colors, list):
        problems.error(where(data, "colors", location),
                       f"'brand.colors' must be a list of hex colours, found {describe(raw_colors)}")
    for index, color in enumerate(raw_colors if isinstance(raw_colors, list) else []):
        match = _HEX_COLOR.match(color) if isinstance(color, str) else None
        if match is None:
            problems.error(where(raw_colors, index, location),
                           f"brand colour {color!r} is not a quoted hex colour",
                           'write six hex digits in quotes, e.g. "1F3A5F"')
        else:
            colors.append(match.group(1).upper())
    return BrandConfig(fonts=fonts, colors=tuple(colors), template=template)


def _template(value: Any, location: str, problems: Problems, root: Path) -> Path | None:
    """brand.template: a .potx/.pptx inside the project folder (data is never a path to anywhere)."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.error(location, f"'brand.template' must be a .potx or .pptx path, found {describe(value)}")
        return None
    resolved = (root / value).resolve()
    if not resolved.is_relative_to(root):
        problems.error(location, f"brand.template '{value}' is outside the project folder",
                       "put the template inside the folder of deckgen.yaml")
    elif resolved.suffix.lower() not in _TEMPLATE_SUFFIXES:
        problems.error(location, f"brand.template '{value}' is not a .potx or .pptx file")
    elif not resolved.is_file():
        problems.error(location, f"brand.template '{value}' not found", f"looked for {resolved}")
    else:
        return resolved
    return None


def _batch(value: Any, location: str, problems: Problems) -> BatchConfig:
    data = _section(value, "batch", location, _BATCH_KEYS, problems)
    filename = data.get("filename", DEFAULT_FILENAME)
    if not isinstance(filename, str) or not filename.strip():
        problems.error(where(data, "filename", location),
                       f"'batch.filename' must be a file name pattern, found {describe(filename)}")
        filename = DEFAULT_FILENAME
    else:
        try:
            user_sandbox().parse(filename)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(where(data, "filename", location),
                           f"'batch.filename' is not a valid template: {exc.message}")
    columns: dict[str, str] = {}
    raw_columns = data.get("columns")
    if raw_columns is not None and not isinstance(raw_columns, Mapping):
        problems.error(where(data, "columns", location),
                       f"'batch.columns' must map CSV column names to prospect fields, "
                       f"found {describe(raw_columns)}")
    for column, target in (raw_columns.items() if isinstance(raw_columns, Mapping) else ()):
        at = where(raw_columns, column, location)
        if not isinstance(target, str) or not target.strip():
            problems.error(at, f"column '{column}' must map to a prospect field, found {describe(target)}")
            continue
        head = target.split(".")[0]
        if head not in PROSPECT_FIELDS:
            problems.error(at, f"column '{column}' maps to unknown prospect field '{head}'",
                           _field_hint(head))
            continue
        columns[str(column)] = target.strip()
    workers = data.get("workers")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        problems.error(where(data, "workers", location),
                       f"'batch.workers' must be a whole number of at least 1, found {describe(workers)}",
                       "leave it out to use one worker per CPU")
        workers = None
    return BatchConfig(filename=filename, columns=columns, workers=workers)


def _output(data: Mapping, location: str, problems: Problems) -> OutputConfig:
    """The `output:` mapping: folder (read by the caller), notes/hidden policies, document properties."""
    problems.unknown_keys(data, _OUTPUT_KEYS, default_where=location, context="'output'")
    values: dict[str, Any] = {}
    for key, choices in (("notes", NOTES_POLICIES), ("hidden", HIDDEN_POLICIES)):
        if key not in data:
            continue
        value = data[key]
        if value not in choices:
            problems.error(where(data, key, location), f"'output.{key}' must be one of "
                           f"{', '.join(choices)}, found {describe(value)}",
                           did_you_mean(str(value), choices) or f"write {key}: {choices[0]} or {key}: {choices[1]}")
        else:
            values[key] = value
    for key in _OUTPUT_TEMPLATES + _OUTPUT_TEXTS:
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if not isinstance(value, str):
            problems.error(where(data, key, location), f"'output.{key}' must be text, found {describe(value)}")
            continue
        if key in _OUTPUT_TEMPLATES:
            try:
                jinja2.sandbox.SandboxedEnvironment().parse(value)
            except jinja2.TemplateSyntaxError as exc:
                problems.error(where(data, key, location),
                               f"'output.{key}' is not a valid template: {exc.message}")
                continue
        values[key] = value.strip()
    return OutputConfig(**values)


def check_policy(name: str, value: str | None) -> str | None:
    """Return a notes/hidden policy given on the command line or in Python, refusing unknown ones."""
    choices = {"notes": NOTES_POLICIES, "hidden": HIDDEN_POLICIES}[name]
    if value is None or value in choices:
        return value
    raise ConfigError(f"unknown {name} policy {value!r}",
                      hint=did_you_mean(str(value), choices) or "use one of: " + ", ".join(choices))


def _serve(value: Any, location: str, problems: Problems) -> ServeConfig:
    data = _section(value, "serve", location, _SERVE_KEYS, problems)
    raw = data.get("tokens")
    if raw is None:
        return ServeConfig()
    if not isinstance(raw, Mapping):
        problems.error(where(data, "tokens", location),
                       f"'serve.tokens' must map names to API tokens, found {describe(raw)}",
                       "e.g. tokens: {crm-button: <a long random token>}")
        return ServeConfig()
    tokens: dict[str, str] = {}
    for name, token in raw.items():
        at = where(raw, name, location)
        if not isinstance(token, str) or len(token.strip()) < _MIN_TOKEN_LENGTH:
            problems.error(at, f"the token of '{name}' must be text of at least {_MIN_TOKEN_LENGTH} characters",
                           "make one with `python3 -c 'import secrets; print(secrets.token_urlsafe())'`")
            continue
        tokens[str(name)] = token.strip()
    return ServeConfig(tokens=tokens)


def _scoreboard(value: Any, location: str, root: Path, label: str, problems: Problems) -> ScoreboardConfig:
    data = _section(value, "scoreboard", location, _SCOREBOARD_KEYS, problems)
    setting = where(data, "database", location) if "database" in data else f"{label}: scoreboard.database"
    raw = data.get("database", DEFAULT_DATABASE)
    database = None
    if raw is False or raw == "off":
        database = None
    elif not isinstance(raw, str) or not raw.strip():
        problems.error(setting, f"'scoreboard.database' must be a file path or a database URL, "
                                f"found {describe(raw)}", "e.g. .deckgen/scoreboard.sqlite, or false to log nothing")
    else:
        database = database_url(raw.strip(), root)
    user = data.get("user")
    if user is not None and (not isinstance(user, str) or not user.strip()):
        problems.error(where(data, "user", location), f"'scoreboard.user' must be a name, found {describe(user)}")
        user = None
    hashed = data.get("hash_prospect_names", False)
    if not isinstance(hashed, bool):
        problems.error(where(data, "hash_prospect_names", location),
                       f"'scoreboard.hash_prospect_names' must be true or false, found {describe(hashed)}")
        hashed = False
    report = data.get("report")
    if report is not None and (not isinstance(report, str) or not report.strip()):
        problems.error(where(data, "report", location),
                       f"'scoreboard.report' must be a folder path, found {describe(report)}")
        report = None
    outcomes = _outcomes(data.get("outcomes"), where(data, "outcomes", location), problems)
    return ScoreboardConfig(database=database, setting=setting, user=user.strip() if user else None,
                            hash_prospect_names=hashed,
                            report=(root / report).resolve() if report else None, outcomes=outcomes)


def _outcomes(value: Any, location: str, problems: Problems) -> OutcomesConfig:
    data = _section(value, "scoreboard.outcomes", location, _OUTCOMES_KEYS, problems)
    columns: dict[str, str] = {}
    raw_columns = data.get("columns")
    if raw_columns is not None and not isinstance(raw_columns, Mapping):
        problems.error(where(data, "columns", location),
                       f"'scoreboard.outcomes.columns' must map file columns to outcome fields, "
                       f"found {describe(raw_columns)}")
    for column, target in (raw_columns.items() if isinstance(raw_columns, Mapping) else ()):
        if target not in OUTCOME_FIELDS:
            problems.error(where(raw_columns, column, location),
                           f"column '{column}' maps to unknown outcome field '{target}'",
                           did_you_mean(str(target), OUTCOME_FIELDS) or "outcome fields: " + ", ".join(OUTCOME_FIELDS))
            continue
        columns[str(column)] = target
    stages = default_stages()
    raw_stages = data.get("stages")
    if raw_stages is not None and not isinstance(raw_stages, Mapping):
        problems.error(where(data, "stages", location),
                       f"'scoreboard.outcomes.stages' must map won/lost/open to lists of stage names, "
                       f"found {describe(raw_stages)}")
    for result, names in (raw_stages.items() if isinstance(raw_stages, Mapping) else ()):
        at = where(raw_stages, result, location)
        if result not in OUTCOME_RESULTS:
            problems.error(at, f"unknown stage result '{result}'", "use won, lost or open")
            continue
        for name in _names(names, f"scoreboard.outcomes.stages.{result}", at, problems):
            stages[name.casefold()] = result
    return OutcomesConfig(columns=columns, stages=stages)


def _names(value: Any, name: str, location: str, problems: Problems) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.error(location, f"'{name}' must be a list of names, found {describe(value)}")
        return ()
    return tuple(v.strip() for v in value)


def _field_hint(name: str) -> str:
    return did_you_mean(name, PROSPECT_FIELDS) or "prospect fields: " + ", ".join(PROSPECT_FIELDS)
