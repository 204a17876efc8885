"""The scoreboard's figures as plain data: usage, unused collateral, message-map use, outcomes with
confidence intervals, content health and decks per salesperson (what the report draws and --format json prints)."""
from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deckgen.library import Library
from deckgen.scoreboard.outcomes import deck_links
from deckgen.scoreboard.options import ReportOptions
from deckgen.scoreboard.store import event_slides, event_tags, events, opportunities, slide_months

Z_95 = 1.959964            # normal quantile of a two-sided 95% interval


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float]:
    """Return the Wilson score interval of a proportion (95% by default); (0, 1) for no trials."""
    if trials <= 0:
        return 0.0, 1.0
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def compute_figures(connection: Connection, library: Library, options: ReportOptions) -> dict[str, Any]:
    """Return every figure of the report, each with its title, what it means and its data."""
    in_window = sa.and_(events.c.at >= options.since, events.c.at < options.until)
    window = f"the last {options.days} days (to {options.today.isoformat()})"
    uses = _slide_uses(connection, options)
    figures = {
        "usage_over_time": _usage_over_time(connection),
        "unused_collateral": _unused(library, uses, options, window),
        "usage_by_segment": _usage_by(connection, in_window, "segment", library, window),
        "usage_by_competitor": _usage_by(connection, in_window, "competitor", library, window),
        "usage_by_objection": _usage_by(connection, in_window, "objection", library, window),
    }
    links = deck_links(connection)
    results = {row.opportunity_id: row for row in connection.execute(
        sa.select(opportunities.c.opportunity_id, opportunities.c.result, opportunities.c.amount))}
    decided = {o: ids for o, ids in links.items() if results[o].result in ("won", "lost")}
    figures["outcomes_by_slide"] = _outcomes(connection, decided, results, "slide", options, library)
    figures["outcomes_by_recipe"] = _outcomes(connection, decided, results, "recipe", options, library)
    figures["content_health"] = _expiring(library, uses, options, window)
    figures["owners"] = _owners(library, uses, options, window)
    figures["decks_per_salesperson"] = _per_salesperson(connection)
    totals = _totals(connection, links, results)
    return {"today": options.today.isoformat(), "window_days": options.days, "totals": totals,
            "figures": figures}


def _month(connection: Connection, column) -> Any:
    """The "YYYY-MM" of a timestamp column, in SQL."""
    if connection.dialect.name == "postgresql":
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.substr(column, 1, 7)     # SQLite stores "YYYY-MM-DD HH:MM:SS"; strftime costs 3x more


def _slide_uses(connection: Connection, options: ReportOptions) -> dict[str, tuple[int, datetime.datetime]]:
    """Return {slide key: (decks in the window, last build)}; a deck is counted once however often rebuilt.

    Read from the per-month summary: a deck counts when its last build with the slide in some
    month falls in the window (exact for a window ending today; for a past --today, a deck
    rebuilt after the window's end in the same month counts in the month it was last built).
    """
    query = (sa.select(slide_months.c.slide_key, sa.func.count(sa.distinct(slide_months.c.output_path)),
                       sa.func.max(slide_months.c.last_at))
             .where(slide_months.c.last_at >= options.since, slide_months.c.first_at < options.until)
             .group_by(slide_months.c.slide_key))
    return {key: (count, last) for key, count, last in connection.execute(query)}


def _usage_over_time(connection: Connection) -> dict[str, Any]:
    query = (sa.select(slide_months.c.slide_key, slide_months.c.month, sa.func.count())
             .group_by(slide_months.c.slide_key, slide_months.c.month))
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    months: set[str] = set()
    for key, when, count in connection.execute(query):
        counts[key][when] = count
        months.add(when)
    ordered_months = sorted(months)
    keys = sorted(counts, key=lambda key: (-sum(counts[key].values()), key))
    return {
        "title": "Decks per slide, by month",
        "meaning": "How many different decks included each slide in each month (all builds, batches and "
                   "rebuilds in the log; a deck rebuilt in the same month counts once).",
        "months": ordered_months,
        "slides": [{"key": key, "decks": [counts[key].get(m, 0) for m in ordered_months]} for key in keys],
    }


def _unused(library: Library, uses: dict, options: ReportOptions, window: str) -> dict[str, Any]:
    slides = []
    for slide in library.slides:
        if slide.status != "approved" or slide.is_expired(options.today):
            continue
        decks, last = uses.get(slide.key, (0, None))
        slides.append({"key": slide.key, "title": slide.title, "owner": slide.owner, "decks": decks,
                       "last_used": last.date().isoformat() if last else None})
    rare = [slide for slide in slides if slide["decks"] < options.rare_below]
    never = [slide for slide in rare if slide["decks"] == 0]
    share = round(100 * len(rare) / len(slides), 1) if slides else 0.0
    return {
        "title": "Unused collateral",
        "meaning": f"Approved, unexpired library slides used in fewer than {options.rare_below} decks in "
                   f"{window}: {len(rare)} of {len(slides)} ({share}%), {len(never)} never used. "
                   f"Ask their owners whether they are still needed or hard to find.",
        "approved_slides": len(slides),
        "unused": len(never),
        "rarely_used": len(rare) - len(never),
        "unused_or_rare": len(rare),
        "share_percent": share,
        "rare_below": options.rare_below,
        "slides": sorted(slides, key=lambda slide: (slide["decks"], slide["key"])),
    }


def _usage_by(connection: Connection, condition, dimension: str, library: Library, window: str) -> dict[str, Any]:
    """Decks per segment / competitor / objection over the window, with the library's tag values none used."""
    if dimension == "segment":
        query = (sa.select(events.c.segment, sa.func.count(sa.distinct(events.c.output_path)))
                 .where(condition).group_by(events.c.segment))
    else:
        query = (sa.select(event_tags.c.value, sa.func.count(sa.distinct(events.c.output_path)))
                 .select_from(event_tags.join(events, events.c.id == event_tags.c.event_id))
                 .where(condition, event_tags.c.tag == dimension).group_by(event_tags.c.value))
    counts: Counter = Counter()
    for value, count in connection.execute(query):
        if value:
            counts[value.casefold()] += count
    mapped = sorted(value.casefold() for value in library.tag_values(dimension))
    values = sorted(set(counts) | set(mapped), key=lambda value: (-counts[value], value))
    plural = {"segment": "segments", "competitor": "competitors", "objection": "objections"}[dimension]
    idle = [value for value in mapped if counts[value] == 0]
    return {
        "title": f"Usage by {dimension}",
        "meaning": f"Decks built in {window} per prospect {dimension} (a deck counts once for each of its "
                   f"{plural}). Library {plural} no deck exercised: "
                   f"{', '.join(idle) if idle else 'none'}.",
        "values": [{"value": value, "decks": counts[value], "in_library": value in mapped} for value in values],
        "not_exercised": idle,
    }


def _outcomes(connection: Connection, links: dict[str, list[int]], results: dict, by: str,
              options: ReportOptions, library: Library) -> dict[str, Any]:
    """Win rate and won amount of the decided opportunities whose decks contained each slide / recipe."""
    groups: dict[str, set[str]] = defaultdict(set)
    for name, opportunity in _linked_pairs(connection, links, by):
        if results[opportunity].result in ("won", "lost"):
            groups[name].add(opportunity)
    rows, hidden = [], []
    for name, opportunity_ids in groups.items():
        won = [results[o] for o in opportunity_ids if results[o].result == "won"]
        decided = len(opportunity_ids)
        if decided < options.min_sample:
            hidden.append({"name": name, "decided": decided})
            continue
        low, high = wilson_interval(len(won), decided)
        rows.append({"name": name, "decided": decided, "won": len(won), "lost": decided - len(won),
                     "win_rate": round(len(won) / decided, 4), "ci_low": round(low, 4), "ci_high": round(high, 4),
                     "won_amount": round(sum(o.amount or 0.0 for o in won), 2)})
    rows.sort(key=lambda row: (-row["win_rate"], -row["decided"], row["name"]))
    hidden.sort(key=lambda row: (-row["decided"], row["name"]))
    thing = "slide" if by == "slide" else "recipe"
    return {
        "title": f"Win rate by {thing}",
        "meaning": f"Of the won or lost opportunities whose account got a deck with this {thing} before the "
                   f"close date: the share won, with a 95% Wilson confidence interval, and the amount won. "
                   f"Shown only with at least {options.min_sample} decided opportunities "
                   f"({len(hidden)} {thing}s have fewer and are listed as too few to say). "
                   f"Correlation, not cause: good deals also get more decks.",
        "min_sample": options.min_sample,
        "rows": rows,
        "too_few": hidden,
    }


def _linked_pairs(connection: Connection, links: dict[str, list[int]], by: str) -> set[tuple[str, str]]:
    """Return the distinct (slide key or recipe, opportunity id) pairs of the linked decks.

    The links go into a temporary table so the database joins them with the slide uses and
    removes repeats itself: a log of a million slide uses never crosses into Python.
    """
    link_table = sa.Table("deckgen_links", sa.MetaData(), sa.Column("event_id", sa.Integer),
                          sa.Column("opportunity_id", sa.String(200)), prefixes=["TEMPORARY"])
    link_table.create(connection, checkfirst=True)
    connection.execute(link_table.delete())
    rows = [{"event_id": event_id, "opportunity_id": opportunity}
            for opportunity, event_ids in links.items() for event_id in event_ids]
    if rows:
        connection.execute(link_table.insert(), rows)
    # the few linked builds drive the join (SQLite's CROSS JOIN keeps that order; its planner
    # would rather walk every slide use in key order for the DISTINCT)
    join = "CROSS JOIN" if connection.dialect.name == "sqlite" else "JOIN"
    if by == "slide":
        query = sa.text(f"SELECT DISTINCT s.slide_key, l.opportunity_id FROM deckgen_links l {join} "
                        f"deck_event_slides s ON s.event_id = l.event_id")
    else:
        query = sa.text(f"SELECT DISTINCT e.recipe, l.opportunity_id FROM deckgen_links l {join} "
                        f"deck_events e ON e.id = l.event_id")
    pairs = {(name, opportunity) for name, opportunity in connection.execute(query)}
    link_table.drop(connection)
    return pairs


def _expiring(library: Library, uses: dict, options: ReportOptions, window: str) -> dict[str, Any]:
    horizon = options.today + datetime.timedelta(days=options.expiry_days)
    rows = []
    for slide in library.slides:
        if slide.expires is None or slide.expires > horizon:
            continue
        decks, last = uses.get(slide.key, (0, None))
        rows.append({"key": slide.key, "title": slide.title, "owner": slide.owner,
                     "expires": slide.expires.isoformat(), "days_left": (slide.expires - options.today).days,
                     "decks": decks})
    rows.sort(key=lambda row: (-row["decks"], row["days_left"], row["key"]))
    return {
        "title": "Slides near expiry, by use",
        "meaning": f"Slides that expire within {options.expiry_days} days (or have expired) and how many decks "
                   f"used them in {window}: the most used are the most urgent to renew.",
        "slides": rows,
    }


def _owners(library: Library, uses: dict, options: ReportOptions, window: str) -> dict[str, Any]:
    owners: dict[str, dict[str, Any]] = {}
    for slide in library.slides:
        owner = slide.owner or "(no owner)"
        entry = owners.setdefault(owner, {"owner": owner, "slides": 0, "slide_uses": 0, "unused": 0})
        decks = uses.get(slide.key, (0, None))[0]
        entry["slides"] += 1
        entry["slide_uses"] += decks
        entry["unused"] += decks == 0
    rows = sorted(owners.values(), key=lambda row: (-row["slide_uses"], row["owner"]))
    return {
        "title": "Owners' slides and their usage",
        "meaning": f"Per slide owner: library slides, slide uses (decks × slides of theirs) in {window}, and "
                   f"how many of their slides no deck used.",
        "owners": rows,
    }


def _per_salesperson(connection: Connection) -> dict[str, Any]:
    month = _month(connection, events.c.at).label("month")
    query = (sa.select(events.c.who, month, sa.func.count(sa.distinct(events.c.output_path)), sa.func.count())
             .group_by(events.c.who, month))
    rows = [{"who": who, "month": when, "decks": decks, "builds": builds}
            for who, when, decks, builds in connection.execute(query)]
    rows.sort(key=lambda row: (row["month"], row["who"]))
    return {
        "title": "Decks built per salesperson and month",
        "meaning": "Different decks each person built (or had built by a batch they ran) per month, and all "
                   "builds including rebuilds: each is a deck nobody assembled by hand.",
        "rows": rows,
    }


def _totals(connection: Connection, links: dict, results: dict) -> dict[str, int]:
    decided = sum(1 for o in links if results[o].result in ("won", "lost"))
    return {
        "builds": connection.execute(sa.select(sa.func.count()).select_from(events)).scalar() or 0,
        "decks": connection.execute(sa.select(sa.func.count(sa.distinct(events.c.output_path)))).scalar() or 0,
        "slide_uses": connection.execute(sa.select(sa.func.count()).select_from(event_slides)).scalar() or 0,
        "opportunities": len(results),
        "opportunities_with_decks": len(links),
        "decided_with_decks": decided,
    }


def slide_scores(connection: Connection, key: str, options: ReportOptions) -> dict[str, Any]:
    """Return one slide's usage (decks in the window and ever, last use) and outcome figures."""
    with_slide = sa.select(event_slides.c.event_id).where(event_slides.c.slide_key == key)
    base = sa.select(sa.func.count(sa.distinct(events.c.output_path)), sa.func.max(events.c.at)).where(
        events.c.id.in_(with_slide))
    ever, last = connection.execute(base).one()
    recent = connection.execute(base.where(events.c.at >= options.since, events.c.at < options.until)).one()[0]
    event_ids = {row[0] for row in connection.execute(with_slide)}
    links = deck_links(connection)
    results = {row.opportunity_id: row for row in connection.execute(
        sa.select(opportunities.c.opportunity_id, opportunities.c.result, opportunities.c.amount))}
    decided = [results[o] for o, ids in links.items()
               if results[o].result in ("won", "lost") and not event_ids.isdisjoint(ids)]
    won = [o for o in decided if o.result == "won"]
    low, high = wilson_interval(len(won), len(decided))
    return {"decks_window": recent, "decks_ever": ever, "last_used": last.date().isoformat() if last else None,
            "decided": len(decided), "won": len(won), "win_rate": len(won) / len(decided) if decided else None,
            "ci_low": low, "ci_high": high, "won_amount": sum(o.amount or 0.0 for o in won),
            "enough": len(decided) >= options.min_sample, "min_sample": options.min_sample,
            "days": options.days}


