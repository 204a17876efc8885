"""Recognising identical parts, so that masters, layouts and media are stored once per output."""
from __future__ import annotations

import hashlib
from typing import Callable

from lxml import etree

from deckgen.ooxml import names as n
from deckgen.ooxml.package import SourceDeck, follows


class SharedParts:
    """Index of the output's shareable parts by content.

    XML parts (layouts, masters) are keyed by a digest of their XML with each relationship id
    replaced by its target's own key, so byte-identical parts and parts that differ only in how
    their relationships are numbered are the same. Binary parts (media) are matched by size and
    CRC-32 from the zip directory first, then confirmed by sha256 of the bytes.
    """

    def __init__(self, style_context: Callable[[SourceDeck], bytes]):
        # what a master or layout inherits from its deck that the copy writes into it
        self._style_context = style_context
        self._by_key: dict[str, str] = {}
        self._binary: dict[tuple[str, int, int], list[tuple[SourceDeck, str, str]]] = {}

    def find(self, deck: SourceDeck, part: str, content_type: str) -> str | None:
        """Output name of a part already copied that is the same as ``part``, or None."""
        if is_xml(content_type, part):
            return self._by_key.get(self.content_key(deck, part))
        info = deck.member(part)
        for other_deck, other_part, name in self._binary.get(
                (content_type, info.file_size, info.CRC), []):
            if self._sha256(deck, part) == self._sha256(other_deck, other_part):
                return name
        return None

    def register(self, deck: SourceDeck, part: str, content_type: str, name: str) -> None:
        """Record that ``part`` was copied to output part ``name``."""
        if is_xml(content_type, part):
            self._by_key[self.content_key(deck, part)] = name
        else:
            info = deck.member(part)
            self._binary.setdefault((content_type, info.file_size, info.CRC), []).append(
                (deck, part, name))

    @staticmethod
    def _sha256(deck: SourceDeck, part: str) -> str:
        memo = ("sha256", part)
        if memo not in deck.derived:
            digest = hashlib.sha256()
            with deck.open_part(part) as stream:
                while chunk := stream.read(1 << 20):
                    digest.update(chunk)
            deck.derived[memo] = digest.hexdigest()
        return deck.derived[memo]

    def content_key(self, deck: SourceDeck, part: str) -> str:
        """Digest equal for parts that would look the same in the output: content with its
        relationship ids replaced by their targets' keys, plus those targets.

        Keys are kept on the deck (per text-style context), so later assemblies from the same
        open deck reuse them."""
        content_type = deck.content_type(part)
        styled = content_type in (n.CT_SLIDE_MASTER, n.CT_SLIDE_LAYOUT)
        context = self._style_context(deck) if styled else b""
        memo = ("content key", part, context)
        if memo not in deck.derived:
            # a part reached again while its own key is computed stands for itself
            deck.derived[memo] = f"cycle:{deck.path}:{part}"
            try:
                deck.derived[memo] = self._compute_key(deck, part, content_type, context)
            except BaseException:
                del deck.derived[memo]
                raise
        return deck.derived[memo]

    def _compute_key(self, deck: SourceDeck, part: str, content_type: str,
                     context: bytes) -> str:
        digest = hashlib.sha256(content_type.encode() + b"\0" + context)
        targets: dict[str, str] = {}
        for rel in deck.rels(part):
            if rel.external:
                targets[rel.rid] = f"{rel.reltype} external {rel.target}"
            elif follows(content_type, rel) and deck.has_part(rel.part):
                if is_xml(deck.content_type(rel.part), rel.part):
                    targets[rel.rid] = f"{rel.reltype} {self.content_key(deck, rel.part)}"
                else:
                    # size and CRC-32 stand for media bytes here, which are not read for a key
                    info = deck.member(rel.part)
                    targets[rel.rid] = f"{rel.reltype} {info.file_size}:{info.CRC}"
        data = deck.read(part)
        if targets:
            data = _normalised_xml(data, targets, content_type) or data
        digest.update(data)
        for value in sorted(targets.values()):
            digest.update(b"\0" + value.encode())
        return digest.hexdigest()


def is_xml(content_type: str, part: str) -> bool:
    """True for XML parts (by content type, or by the .xml extension)."""
    return (content_type.endswith("+xml") or content_type in ("application/xml", "text/xml")
            or n.extension(part) == "xml")


def _normalised_xml(data: bytes, targets: dict[str, str], content_type: str) -> bytes | None:
    """XML with every relationship-id attribute replaced by its target's key (None if the part
    is not well-formed XML); a master's list of layouts is left out."""
    try:
        root = etree.fromstring(data, n.XML_PARSER)
    except etree.XMLSyntaxError:
        return None
    if content_type == n.CT_SLIDE_MASTER:
        for element in root.findall(n.qn("p:sldLayoutIdLst")):
            root.remove(element)
    prefix = "{" + n.R_NS + "}"
    for element in root.iter():
        for name, value in element.attrib.items():
            if name.startswith(prefix) and value in targets:
                element.set(name, targets[value])
    return etree.tostring(root)
