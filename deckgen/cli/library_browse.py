"""`deckgen library list|search|show`: browse the slide library from the terminal."""
from __future__ import annotations

import json
from pathlib import Path

import click

from deckgen.cli.library import library_group
from deckgen.config import project_config
from deckgen.marketing.search import (filter_slides, LibraryCatalog, open_catalog, parse_tag_filters, search, slide_details,
                                     tag_text)
from deckgen.marketing.usage import NAMED
from deckgen.library import LibrarySlide
from deckgen.fsutil import display_path
from deckgen.cli.options import complete_slide_keys, format_option, library_option, print_json



_raw_titles_option = click.option("--raw-titles", is_flag=True,
                                  help="Show titles as written, template tags included (default: filled "
                                       "for example_prospect in deckgen.yaml).")


def _slide_data(slide: LibrarySlide, catalog: LibraryCatalog) -> dict:
    return {"key": slide.key, "module": slide.module, "file": display_path(slide.path), "number": slide.number,
            "slide_id": slide.slide_id, "title": catalog.show_title(slide.title), "raw_title": slide.title, "tags": {k: list(v) for k, v in slide.tags.items()},
            "owner": slide.owner, "review_by": slide.review_by.isoformat() if slide.review_by else None,
            "expires": slide.expires.isoformat() if slide.expires else None, "status": slide.status}


@library_group.command("list")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE",
              help="Only slides with this tag value (repeat: different tags must all match, "
                   "values of one tag are alternatives; VALUE may be a,b).")
@library_option
@format_option()
@_raw_titles_option
def list_command(tags: tuple[str, ...], library: Path | None, output_format: str, raw_titles: bool) -> None:
    """List the library's slides (key, file#number, status, review date, title, tags)."""
    catalog = open_catalog(project_config(library=library), with_text=False, raw_titles=raw_titles)
    slides = filter_slides(catalog.library, parse_tag_filters(tags, catalog.library))
    if output_format == "json":
        click.echo(json.dumps([_slide_data(slide, catalog) for slide in slides], indent=2, ensure_ascii=False))
        return
    if not slides:
        click.echo("no slides match" + "".join(f" --tag {tag}" for tag in tags))
        return
    key_width = max(len(slide.key) for slide in slides)
    where_width = max(len(f"{slide.module}#{slide.number}") for slide in slides)
    for slide in slides:
        review = slide.review_by.isoformat() if slide.review_by else "-"
        click.echo(f"{slide.key:<{key_width}}  {slide.module + '#' + str(slide.number):<{where_width}}  "
                   f"{slide.status:<8}  {review:<10}  {catalog.show_title(slide.title)}  [{tag_text(slide.tags)}]")
    click.echo(f"{len(slides)} of {len(catalog.library)} slides")


@library_group.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", type=click.IntRange(1), default=10, show_default=True, help="Show at most N hits.")
@click.option("--tag", "tags", multiple=True, metavar="NAME=VALUE", help="Search only slides with this tag value.")
@library_option
@format_option()
@_raw_titles_option
def search_command(query: tuple[str, ...], limit: int, tags: tuple[str, ...], library: Path | None,
                   output_format: str, raw_titles: bool) -> None:
    """Full-text search of slide titles, text and speaker notes, best match first."""
    catalog = open_catalog(project_config(library=library), raw_titles=raw_titles)
    allowed = {slide.key for slide in filter_slides(catalog.library, parse_tag_filters(tags, catalog.library))}
    documents = [doc for key, doc in catalog.documents.items() if key in allowed]
    hits = search(documents, " ".join(query), limit=limit)
    if output_format == "json":
        click.echo(json.dumps([{**_slide_data(hit.slide, catalog), "score": hit.score, "matched": list(hit.matched),
                                "snippet": hit.snippet, "snippet_from": hit.snippet_from} for hit in hits],
                              indent=2, ensure_ascii=False))
        return
    if not hits:
        click.echo(f"no slide mentions {' '.join(query)!r}")
        return
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank:>2}. {hit.slide.key}  ({hit.slide.module}#{hit.slide.number}, score {hit.score:.2f})  "
                   f"{catalog.show_title(hit.slide.title)}")
        click.echo(f"    {hit.snippet_from}: {hit.snippet}")


@library_group.command("show")
@click.argument("key", shell_complete=complete_slide_keys)
@library_option
@format_option()
@_raw_titles_option
def show_command(key: str, library: Path | None, output_format: str, raw_titles: bool) -> None:
    """Print one slide's metadata, text, speaker notes and the recipes that use it."""
    catalog = open_catalog(project_config(library=library), with_text=False, raw_titles=raw_titles)
    details = slide_details(catalog, key)
    slide = details.slide
    if output_format == "json":
        print_json({**_slide_data(slide, catalog), "when": slide.when, "metadata": slide.where,
                    "text": details.text, "notes": details.notes,
                    "used_by": [{"recipe": use.recipe, "section": use.section,
                                 "how": "names it" if use.how == NAMED else "can select it", "where": str(use.where)}
                                for use in details.usage]})
        return
    rows = [("key", slide.key), ("file", f"{display_path(slide.path)} slide {slide.number} (id {slide.slide_id})"),
            ("title", catalog.show_title(slide.title) or "-"), ("status", slide.status), ("owner", slide.owner or "-"),
            ("review_by", slide.review_by.isoformat() if slide.review_by else "-"),
            ("expires", slide.expires.isoformat() if slide.expires else "-")]
    if slide.when is not None:
        rows.append(("when", str(slide.when)))
    rows.append(("metadata", slide.where))
    for name, value in rows:
        click.echo(f"{name + ':':<11}{value}")
    click.echo("tags:")
    for name, values in slide.tags.items():
        click.echo(f"  {name}: {', '.join(values)}")
    click.echo("\ntext:")
    click.echo("\n".join(f"  {line}" for line in details.text.splitlines()) or "  (none)")
    click.echo("\nnotes:")
    click.echo("\n".join(f"  {line}" for line in details.notes.splitlines()) or "  (none)")
    click.echo("\nused by:")
    if not details.usage:
        click.echo("  no recipe")
    for use in details.usage:
        how = "names it" if use.how == NAMED else "can select it"
        click.echo(f"  {use.recipe}: section '{use.section}' {how} ({use.where})")
