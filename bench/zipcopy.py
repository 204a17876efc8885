"""Copying zip members between archives as stored bytes, without inflating or re-deflating them."""
from __future__ import annotations

import struct
import zipfile

# The stdlib has no public API for raw member copy (Go's archive/zip has CreateRaw/OpenRaw);
# these helpers use zipfile's documented header layout and its writer's bookkeeping
# (filelist, NameToInfo, start_dir), stable across CPython 3.8-3.13.
_DATA_DESCRIPTOR_FLAG = 0x08


def read_stored(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Return the member's bytes exactly as stored in the archive (still compressed)."""
    handle = archive.fp
    handle.seek(info.header_offset)
    header = struct.unpack(zipfile.structFileHeader, handle.read(zipfile.sizeFileHeader))
    if header[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"{archive.filename}: bad local header for {info.filename}")
    handle.seek(header[zipfile._FH_FILENAME_LENGTH] + header[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
    return handle.read(info.compress_size)


def write_stored(archive: zipfile.ZipFile, name: str, source: zipfile.ZipInfo, stored: bytes) -> None:
    """Append ``stored`` (bytes from :func:`read_stored`) to ``archive`` as member ``name``."""
    member = zipfile.ZipInfo(name, source.date_time)
    member.compress_type = source.compress_type
    member.flag_bits = source.flag_bits & ~_DATA_DESCRIPTOR_FLAG  # sizes go in the local header
    member.external_attr = source.external_attr
    member.CRC = source.CRC
    member.compress_size = len(stored)
    member.file_size = source.file_size
    member.header_offset = archive.fp.tell()
    archive.fp.write(member.FileHeader())
    archive.fp.write(stored)
    archive.filelist.append(member)
    archive.NameToInfo[name] = member
    archive.start_dir = archive.fp.tell()
