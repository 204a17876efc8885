"""The I/O floor of slide assembly: copy a deck's zip members into a new zip, parsing no XML.

`plan_members` (run once, untimed) lists the members a deck needs: each selected slide's
closure (slide, its rels, layout, master, theme, media, notes slide, notes master) plus the
package parts of the first source, each distinct part once. The timed run
(`python bench/floor.py PLAN.json -o OUT`) only opens the sources' zip directories and copies
those members byte for byte: as stored (``--mode raw``, the true floor) or inflated and
re-deflated by ``zipfile`` (``--mode inflate``, what a zipfile-based writer pays per member).
The output is written like deckgen writes its outputs (temporary file, fsync, rename).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import posixpath
import sys
import tempfile
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

from zipcopy import read_stored, write_stored

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Relationships not followed: a master lists every layout (only used ones are needed), and a
# notes slide points back at its slide.
_NOT_FOLLOWED = {("slideMaster", "slideLayout"), ("notesSlide", "slide")}
# Presentation-level relationships whose targets come with the slides' closures instead.
_PER_SLIDE = {"slide", "slideMaster", "notesMaster", "handoutMaster"}


def parse_slide_spec(spec: str) -> tuple[Path, int]:
    """Return (file, 1-based slide number) of a ``FILE.pptx#N`` argument."""
    path, _, number = spec.rpartition("#")
    if not path or not number.isdigit() or int(number) < 1:
        raise SystemExit(f"{spec}: expected FILE.pptx#N with N a slide number from 1")
    return Path(path), int(number)


def plan_members(slide_specs: list[str]) -> dict:
    """Return the floor's plan for a deck: ``members`` as [source, member, destination] rows."""
    rows: list[list[str]] = []
    seen: set[str] = set()
    sources: dict[Path, int] = {}
    for spec in slide_specs:
        path, number = parse_slide_spec(spec)
        index = sources.setdefault(path, len(sources))
        with zipfile.ZipFile(path) as package:
            parts = _package_parts(package) if index == 0 else []
            parts += _closure(package, _slide_part(package, number, spec))
            for part in parts:
                digest = _part_digest(package, part)
                if digest in seen:  # identical part already planned (shared master, theme...)
                    continue
                seen.add(digest)
                for member in (part, _rels_name(part)):
                    if member in package.NameToInfo:
                        rows.append([str(path), member, f"s{index:03d}/{member}"])
    return {"members": rows, "sources": [str(p) for p in sources]}


def _rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _relationships(package: zipfile.ZipFile, part: str) -> list[tuple[str, str]]:
    """Return (relationship type's last segment, target part) of the part's internal relationships."""
    rels = _rels_name(part)
    if rels not in package.NameToInfo:
        return []
    found = []
    for rel in ET.fromstring(package.read(rels)).iter(_REL):
        if rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target")
        if target.startswith("/"):
            target = target[1:]
        else:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(part), target))
        found.append((rel.get("Type").rsplit("/", 1)[-1], target))
    return found


def _slide_part(package: zipfile.ZipFile, number: int, spec: str) -> str:
    root = ET.fromstring(package.read("ppt/presentation.xml"))
    ns = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
    rids = [el.get(f"{{{ns['r']}}}id") for el in root.iterfind("p:sldIdLst/p:sldId", ns)]
    if number > len(rids):
        raise SystemExit(f"{spec}: the file has {len(rids)} slides")
    rels = ET.fromstring(package.read("ppt/_rels/presentation.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target") for rel in rels.iter(_REL)}
    return posixpath.normpath(posixpath.join("ppt", targets[rids[number - 1]]))


def _package_parts(package: zipfile.ZipFile) -> list[str]:
    parts = ["[Content_Types].xml", "_rels/.rels"]
    for _, target in _relationships(package, ""):
        parts.append(target)
    parts += [target for kind, target in _relationships(package, "ppt/presentation.xml")
              if kind not in _PER_SLIDE]
    return parts


def _closure(package: zipfile.ZipFile, slide: str) -> list[str]:
    parts, queue, kinds = [], [slide], {slide: "slide"}
    while queue:
        part = queue.pop(0)
        parts.append(part)
        for kind, target in _relationships(package, part):
            if (kinds[part], kind) in _NOT_FOLLOWED or target in kinds:
                continue
            kinds[target] = kind
            queue.append(target)
    return parts


def _part_digest(package: zipfile.ZipFile, part: str) -> str:
    digest = hashlib.sha256(package.read(part) if part in package.NameToInfo else b"")
    rels = _rels_name(part)
    if rels in package.NameToInfo:
        digest.update(package.read(rels))
    return digest.hexdigest()


def copy_members(plan: dict, output: Path, mode: str) -> int:
    """Copy the plan's members into a new zip at ``output``; return the number of members."""
    fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".part", dir=output.parent)
    archives: dict[str, zipfile.ZipFile] = {}
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w") as out:
                for source, member, destination in plan["members"]:
                    if source not in archives:
                        archives[source] = zipfile.ZipFile(source)
                    package = archives[source]
                    info = package.getinfo(member)
                    if mode == "raw":
                        write_stored(out, destination, info, read_stored(package, info))
                    else:
                        out.writestr(zipfile.ZipInfo(destination, info.date_time), package.read(info),
                                     compress_type=info.compress_type)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    except BaseException:
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    finally:
        for package in archives.values():
            package.close()
    return len(plan["members"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("plan", type=Path, help="JSON written by plan_members (see bench/run.py)")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--mode", choices=["raw", "inflate"], default="raw")
    args = parser.parse_args(argv)
    copy_members(json.loads(args.plan.read_text()), args.output, args.mode)
    return 0


if __name__ == "__main__":
    sys.exit(main())
