"""`deckgen check`: lint the whole library and every recipe in one pass and report every problem.

Rules (each finding names its file and line, or module file, slide number and key, and a fix):

- library index problems: slides without metadata, metadata whose slide_id is gone, duplicate
  keys, unreadable module files or sidecars, review dates passed and expiry dates passed (warnings)
- recipes that do not load, and recipe references the library cannot resolve
- the build rules of ``deckgen.recipes.rules``, decided by the same functions the build calls:
  expired or draft slides a recipe names by key (error: builds fail) or can select (warning /
  note: builds leave them out), recipes that can mix slides of different sizes (error)
- jinja syntax errors in slide text, tables, notes and shape marks
- template variables no recipe default or prospect provides (see ``provided_variables``)
- pictures that are missing or that pillow cannot open
- text that overflows its shape, and tables that grow past the slide's bottom, measured with the
  font files fontconfig finds (textfit)
- fonts and colours outside ``brand:`` in deckgen.yaml
- with ``brand.template``: slides that cannot be put on the template (no matching layout,
  placeholders without a place, shapes off its page) and explicit colours and fonts that stay
  off-brand after the switch (onto_template)
"""
from deckgen.marketing.check.report import CheckReport
from deckgen.marketing.check.runner import check_project, provided_variables
from deckgen.marketing.check.templates import BUILTIN_NAMES

__all__ = ["BUILTIN_NAMES", "CheckReport", "check_project", "provided_variables"]
