"""Check rules on pictures: every picture a slide shows exists and opens."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterable

from PIL import Image, UnidentifiedImageError

from deckgen.images import ImageProblem, open_image
from deckgen.ooxml.inspect import (SlideImage)
from deckgen.problems import ERROR, Location
from deckgen.marketing.check.report import plural_s


_SKIPPED_IMAGE_TYPES = {"image/svg+xml", "image/x-emf", "image/x-wmf", "image/emf", "image/wmf"}


class ImageRules:
    """Rules on pictures: missing parts and pictures pillow cannot open, on slides and their layouts/masters."""

    def check_images(self, images: Iterable[SlideImage], where: Location, number: int,
                     inherited: dict[str, InheritedImage]) -> None:
        """Report the slide's own broken pictures; collect those of its layout and master in ``inherited``."""
        for image in images:
            if image.source != "slide":
                key = image.part or f"{image.source_part}#{image.rid}"
                entry = inherited.get(key)
                if entry is None:       # a layout's or master's picture is decoded once per module, not per slide
                    entry = inherited[key] = InheritedImage(image, _image_problem_of(image))
                entry.owners.setdefault(f"slide {image.source} /{image.source_part}", None)
                entry.slides.setdefault(number, None)
                continue
            reason = _image_problem_of(image)
            if reason is not None:
                name = f"picture '{image.shape_name}'" if image.shape_name else "a picture"
                part = f" (/{image.part})" if image.part else ""
                self.add(ERROR, "broken-image", where, f"{name}{part} {reason}",
                         "insert the picture again in PowerPoint from a working PNG or JPEG")

    def report_inherited_images(self, label: str, inherited: dict[str, InheritedImage]) -> None:
        for entry in inherited.values():
            if entry.reason is None:
                continue
            image = entry.image
            name = f"picture /{image.part}" if image.part else f"picture '{image.shape_name}'"
            slides = list(entry.slides)
            self.add(ERROR, "broken-image", label,
                     f"{name} of the {' and the '.join(entry.owners)} {entry.reason} "
                     f"(shown on slide{plural_s(len(slides))} {', '.join(map(str, slides))})",
                     "insert it again in PowerPoint under View > Slide Master")


@dataclass
class InheritedImage:
    """A picture of a layout or master, its problem, and where it shows (in first-seen order)."""

    image: SlideImage
    reason: str | None
    owners: dict[str, None] = field(default_factory=dict)
    slides: dict[int, None] = field(default_factory=dict)


def _image_problem_of(image: SlideImage) -> str | None:
    """Return "cannot be read: ..." / "cannot be opened: ..." for a broken picture, else None."""
    if image.problem is not None:
        return f"cannot be read: {image.problem}"
    if image.content_type in _SKIPPED_IMAGE_TYPES or image.data is None:
        return None
    reason = _image_problem(image.data)
    return None if reason is None else f"cannot be opened: {reason}"


def _image_problem(data: bytes) -> str | None:
    """Return why pillow cannot open (or fully decode) the picture bytes, or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with open_image(data) as image:
                image.verify()
            with open_image(data) as image:
                image.load()
        except ImageProblem as exc:
            return str(exc)
        except UnidentifiedImageError:
            return "pillow does not recognise it as a picture"
        except Exception as exc:   # pillow raises OSError, SyntaxError, ValueError... on bad data
            return str(exc) or type(exc).__name__
    return None
