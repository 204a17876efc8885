"""The slide library: module .pptx files plus YAML sidecars, scanned into an ordered index of slides."""
from __future__ import annotations

from deckgen.library.index import Library, LibrarySlide, load_library, module_files, sidecar_of
from deckgen.library.metadata import ANY_VALUE, STATUSES
from deckgen.problems import Problem

__all__ = ["ANY_VALUE", "STATUSES", "Library", "LibrarySlide", "Problem", "load_library",
           "module_files", "sidecar_of"]
