"""Zip member copy without inflating: unchanged parts go from a source zip to the output as is."""
from __future__ import annotations

import struct
import zipfile

# The stdlib has no public API for copying a member's compressed bytes (Go's archive/zip has
# OpenRaw/CreateRaw). These helpers rely on the zip format's documented local header layout and
# on zipfile's bookkeeping (the reader's _lock; the writer's filelist, NameToInfo, start_dir),
# stable in CPython 3.8-3.13.
_ENCRYPTED_FLAG = 0x01
_DEFLATE_OPTION_FLAGS = 0x06
_RAW_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_ZIP64_LIMIT = 0x7FFFFFFF


def can_copy_raw(info: zipfile.ZipInfo) -> bool:
    """True when ``info``'s stored bytes can be copied as they are into a plain zip."""
    return (info.compress_type in _RAW_METHODS and not info.flag_bits & _ENCRYPTED_FLAG
            and info.file_size < _ZIP64_LIMIT and info.compress_size < _ZIP64_LIMIT)


def copy_raw(source: zipfile.ZipFile, info: zipfile.ZipInfo, target: zipfile.ZipFile,
             name: str, date_time: tuple[int, int, int, int, int, int]) -> None:
    """Append ``info``'s compressed bytes from ``source`` to ``target`` as member ``name``."""
    # the source's lock is the one its own member readers take around every seek and read, so
    # threads sharing an open source deck do not move each other's file position
    with source._lock:
        _copy_locked(source.fp, info, target, name, date_time)


def _copy_locked(handle, info: zipfile.ZipInfo, target: zipfile.ZipFile, name: str,
                 date_time: tuple[int, int, int, int, int, int]) -> None:
    handle.seek(info.header_offset)
    header = struct.unpack(zipfile.structFileHeader, handle.read(zipfile.sizeFileHeader))
    if header[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    handle.seek(header[zipfile._FH_FILENAME_LENGTH] + header[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
    member = zipfile.ZipInfo(name, date_time)
    member.compress_type = info.compress_type
    # keep only the deflate option bits: sizes go in the local header, names are ASCII
    member.flag_bits = info.flag_bits & _DEFLATE_OPTION_FLAGS
    member.external_attr = 0o600 << 16
    member.CRC = info.CRC
    member.compress_size = info.compress_size
    member.file_size = info.file_size
    out = target.fp
    out.seek(target.start_dir)
    member.header_offset = out.tell()
    out.write(member.FileHeader())
    remaining = info.compress_size
    while remaining:
        chunk = handle.read(min(remaining, 1 << 20))
        if not chunk:
            raise zipfile.BadZipFile(f"{info.filename} is cut off")
        out.write(chunk)
        remaining -= len(chunk)
    target.filelist.append(member)
    target.NameToInfo[name] = member
    target.start_dir = out.tell()
    target._didModify = True
