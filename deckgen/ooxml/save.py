"""Serialising a python-pptx presentation deterministically: same content, same bytes."""
from __future__ import annotations

import io
import zipfile

from pptx.opc.oxml import serialize_part_xml
from pptx.opc.packuri import CONTENT_TYPES_URI, PACKAGE_URI
from pptx.opc.serialized import _ContentTypesItem

# python-pptx's own writer stamps every zip member with the current time, so two builds of the
# same inputs differ; rebuild manifests compare output hashes, so members get one fixed time.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)

# Already-compressed media gains nothing from deflate and costs most of a save's time.
_STORED_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "jpe", "gif", "mp4", "m4v", "mov", "mp3", "m4a",
                                "wma", "wmv", "avi", "webm", "ogg", "xlsx", "xlsm", "docx", "pptx",
                                "zip", "wdp", "jxr", "tif", "tiff"})


def presentation_bytes(presentation) -> bytes:
    """Return the .pptx bytes of a python-pptx ``Presentation``, identical for identical content."""
    package = presentation.part.package
    parts = list(package.iter_parts())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _write(archive, CONTENT_TYPES_URI, serialize_part_xml(_ContentTypesItem.xml_for(parts)))
        _write(archive, PACKAGE_URI.rels_uri, package._rels.xml)
        for part in parts:
            _write(archive, part.partname, part.blob)
            if part._rels:
                _write(archive, part.partname.rels_uri, part.rels.xml)
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, pack_uri: str, blob: bytes) -> None:
    member = zipfile.ZipInfo(pack_uri.lstrip("/"), FIXED_DATE_TIME)
    extension = pack_uri.rsplit(".", 1)[-1].lower()
    member.compress_type = zipfile.ZIP_STORED if extension in _STORED_EXTENSIONS else zipfile.ZIP_DEFLATED
    member.external_attr = 0o600 << 16
    archive.writestr(member, blob)
