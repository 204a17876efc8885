"""Time, in one process, each step the message map adds to `deckgen check`, and `deckgen diff`, on a project.

    cd bench/.cache/work/message-map/map && python /path/to/bench/map_cost.py

(the project `python bench/run.py --only message-map` sets up: the 10x library, 1,000 CRM rows,
a message map, committed in git, then a module added). Prints CPU and wall seconds per step.
"""
from __future__ import annotations

import datetime
import time

from deckgen.config import project_config
from deckgen.library import load_library
from deckgen.library.conformance import conform
from deckgen.marketing.usage import load_recipes
from deckgen.recipes import check_recipe, resolve
from deckgen.prospect import Prospect
from deckgen.prospect_files import folder_prospects
from deckgen.marketing.check.message_map import _distinct
from deckgen.marketing.situations import situation_prospects
from deckgen.ops.impact import impact

def t(label, fn):
    c0, w0 = time.process_time(), time.perf_counter()
    out = fn()
    print(f"{label:55s} cpu {time.process_time()-c0:7.2f} s  wall {time.perf_counter()-w0:7.2f} s", flush=True)
    return out

config = project_config()
m = config.message_map
lib = t("load_library (5,000 slides, no map)", lambda: load_library(config.library))
conformed = t("conform: every sidecar tag against the map", lambda: conform(lib, m))
recipes = load_recipes(config.recipes).recipes
t("check_recipe with the map", lambda: [check_recipe(r, conformed, m) for r in recipes])
prospects = t("prospects folder (1,001) read", lambda: [p for p in folder_prospects(config.prospects, config.batch.columns) if isinstance(p, Prospect)])
canon = t("prospects mapped through aliases", lambda: [m.canonical_prospect(p) for p in prospects])
today = datetime.date.today()
def ordering():
    n = 0
    for r in recipes:
        for p in _distinct(canon + situation_prospects(m)):
            resolve(r, conformed, p, today=today, allow_drafts=True, message_map=m); n += 1
    return n
n = t("ordering check: plans of distinct situations", ordering)
print("distinct situations planned:", n)
report = t("deckgen diff -r pitch (1,001 prospects vs HEAD), in-process", lambda: impact(config, against="HEAD", recipes=["pitch"], today=today))
print("diff:", report.count("changed"), "of", len(report.decks), "decks change")
