"""Opening pictures from users' files with bounds: bytes read and pixels decoded (docs/limits.md)."""
from __future__ import annotations

import contextlib
import io
import os
import stat
import warnings
from typing import Iterator

from PIL import Image

MAX_IMAGE_BYTES = 64 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000       # e.g. 8,000 x 6,000; a 30,000 x 30,000 logo is refused


class ImageProblem(ValueError):
    """A picture that cannot be used; the message says why in a few words."""


@contextlib.contextmanager
def open_image(data: bytes) -> Iterator[Image.Image]:
    """Yield the picture in ``data`` opened (header read, pixels not yet decoded); raise
    ImageProblem when it is over MAX_IMAGE_BYTES or MAX_IMAGE_PIXELS, before decoding (pillow's
    own errors, e.g. UnidentifiedImageError, pass through)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageProblem(f"it is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MiB")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except Image.DecompressionBombError as exc:
            raise ImageProblem(f"it has more than {MAX_IMAGE_PIXELS:,} pixels") from exc
        with image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageProblem(f"it is {width:,} x {height:,} pixels, over the "
                                   f"{MAX_IMAGE_PIXELS:,}-pixel limit")
            yield image


def read_image_file(path: str | os.PathLike, limit: int = MAX_IMAGE_BYTES) -> bytes:
    """Return the bytes of the picture file ``path`` (a regular file of at most ``limit`` bytes);
    OSError or ImageProblem otherwise."""
    # O_NONBLOCK: a FIFO named as a picture must not wait for a writer; it is refused below
    with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ImageProblem("it is not a regular file")
        if info.st_size > limit:
            raise ImageProblem(f"it is larger than {limit // (1024 * 1024)} MiB")
        return handle.read(limit + 1)
