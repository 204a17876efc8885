"""What `check` says about putting library slides on brand.template: slides that cannot be mapped
and explicit colours and fonts that stay off-brand after the switch."""
from __future__ import annotations

from dataclasses import dataclass

from deckgen.config import BrandConfig
from deckgen.ooxml import SourceDeck, template_fit, theme_palette


@dataclass(frozen=True)
class TemplateFinding:
    """One problem of one slide in template mode."""

    rule: str
    message: str
    hint: str


_OPT_OUT = "or set 'look: source' on it in its sidecar to keep its own look"


def template_findings(template: SourceDeck, deck: SourceDeck, slide_id: int,
                      brand: BrandConfig) -> list[TemplateFinding]:
    """Problems of ``deck``'s slide ``slide_id`` when it is built onto ``template``."""
    fit = template_fit(template, deck, slide_id)
    found = []
    if not fit.mapped:
        found.append(TemplateFinding(
            "template-layout", f"cannot be mapped onto the template: {fit.reason}",
            f"give its layout the name of a template layout, {_OPT_OUT}"))
    elif fit.unmatched:
        found.append(TemplateFinding(
            "template-layout",
            f"template layout '{fit.layout}' has no place for its {', '.join(fit.unmatched)}",
            f"move that content into the layout's placeholders, {_OPT_OUT}"))
    if fit.off_page:
        found.append(TemplateFinding(
            "template-off-page",
            "on the template's page these shapes fall off the slide: " + ", ".join(
                f"'{name}'" for name in fit.off_page),
            f"move or resize them inside the slide, {_OPT_OUT}"))
    colors, fonts = theme_palette(template)
    off_colors = sorted(fit.colors - colors - set(brand.colors))
    if off_colors:
        found.append(TemplateFinding(
            "template-off-brand",
            ("sets colours that stay" if len(off_colors) > 1 else "sets a colour that stays")
            + " after the switch to the template and not in its theme: "
            + ", ".join(f"#{c}" for c in off_colors),
            f"use theme colours (the template restyles them), {_OPT_OUT}"))
    allowed_fonts = {font.casefold() for font in fonts | set(brand.fonts)}
    off_fonts = sorted(font for font in fit.fonts if font.casefold() not in allowed_fonts)
    if off_fonts:
        found.append(TemplateFinding(
            "template-off-brand",
            ("sets fonts that stay" if len(off_fonts) > 1 else "sets a font that stays")
            + " after the switch to the template and not among its theme fonts: "
            + ", ".join(f"'{f}'" for f in off_fonts),
            f"use the theme fonts (+Headings/+Body), {_OPT_OUT}"))
    return found
