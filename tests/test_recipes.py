"""Tests of deckgen.recipes: loading and validating recipes, and resolving them into explained plans."""
from __future__ import annotations

import datetime

import pytest

from conftest import write_text
from deckgen.errors import DeckgenError
from deckgen.library import load_library
from deckgen.prospect import Prospect
from deckgen.recipes import load_recipe, resolve

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def project(tmp_path, sample_library, monkeypatch):
    """The sample library plus an empty recipes folder; the current directory is their parent."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "recipes").mkdir()
    return tmp_path


@pytest.fixture
def library(project):
    return load_library(project / "slide_library", today=TODAY)


def recipe(project, name, text):
    write_text(project / "recipes" / f"{name}.yaml", text)
    return load_recipe(name, project / "recipes")


def error_of(call, *args, **kwargs) -> str:
    with pytest.raises(DeckgenError) as caught:
        call(*args, **kwargs)
    return str(caught.value)


GLOBEX = Prospect(company="Globex", segment="enterprise", competitors=("acme", "hooli"),
                  objections=("price", "security"), values={"employees": 12000}, source="globex.yaml")


def plan_of(project, library, text, prospect=GLOBEX, **kwargs):
    return resolve(recipe(project, "r", text), library, prospect, today=TODAY, **kwargs)


# --- loading and validation ------------------------------------------------------------------

def test_loaded_recipe_keeps_order_variables_and_files(project):
    loaded = recipe(project, "first-call", """
        name: First call
        description: Discovery deck
        variables: {presenter: Team, currency: "$"}
        sections:
          - name: opening
            slides: [title, agenda]
          - name: proof
            select: {kind: case-study, segment: $segment}
            limit: 1
            fallback: [case-generic]
        """)
    assert (loaded.name, loaded.title, loaded.description) == ("first-call", "First call", "Discovery deck")
    assert dict(loaded.variables) == {"presenter": "Team", "currency": "$"}
    assert [s.name for s in loaded.sections] == ["opening", "proof"]
    proof = loaded.sections[1]
    assert dict(proof.select.tags) == {"kind": ("case-study",), "segment": ("$segment",)}
    assert [ref.key for ref in proof.fallback_keys] == ["case-generic"]
    assert str(proof.where) == "recipes/first-call.yaml:7"
    assert loaded.files == (project / "recipes" / "first-call.yaml",)


def test_extends_replaces_in_place_fills_the_slot_and_merges_variables(project):
    write_text(project / "recipes" / "base.yaml", """
        name: Base
        variables: {presenter: Team, currency: "$"}
        sections:
          - name: opening
            slides: [title]
          - slot: body
          - name: closing
            slides: [closing]
        """)
    child = recipe(project, "child", """
        extends: base
        variables: {currency: "€"}
        sections:
          - name: value
            select: {kind: value-prop}
          - name: opening
            slides: [title, agenda]
          - name: proof
            slides: [case-generic]
        """)
    assert [(s.name, s.recipe) for s in child.sections] == [
        ("opening", "child"), ("value", "child"), ("proof", "child"), ("closing", "base")]
    assert [ref.key for ref in child.sections[0].slides] == ["title", "agenda"]
    assert dict(child.variables) == {"presenter": "Team", "currency": "€"}
    assert child.title == "Base"
    assert [p.name for p in child.files] == ["child.yaml", "base.yaml"]


def test_without_a_slot_new_sections_are_appended(project):
    write_text(project / "recipes" / "base.yaml", "sections:\n  - {name: opening, slides: [title]}\n")
    child = recipe(project, "child", "extends: base\nsections:\n  - {name: more, slides: [agenda]}\n")
    assert [s.name for s in child.sections] == ["opening", "more"]


def test_include_splices_sections_and_supplies_default_variables(project):
    write_text(project / "recipes" / "closing.yaml", """
        variables: {cta: Book a demo, presenter: Closer}
        sections:
          - name: closing
            slides: [closing]
        """)
    loaded = recipe(project, "main", """
        variables: {presenter: Main}
        sections:
          - name: opening
            slides: [title]
          - include: closing
          - name: after
            slides: [agenda]
        """)
    assert [s.name for s in loaded.sections] == ["opening", "closing", "after"]
    assert dict(loaded.variables) == {"cta": "Book a demo", "presenter": "Main"}


@pytest.mark.parametrize("text, message", [
    ("sections:\n  - name: a\n    selct: {kind: title}\n",
     "recipes/r.yaml:3: unknown key 'selct' (did you mean 'select'?)"),
    ("sections:\n  - name: a\n    slides: [title]\n    limit: three\n",
     "recipes/r.yaml:4: 'limit' must be a whole number of at least 1, found text 'three'"),
    ("sections:\n  - name: a\n    slides: {title: 1}\n",
     "recipes/r.yaml:3: 'slides' must be a list of slide keys, found a mapping"),
    ("sections:\n  - name: a\n    select: {kind: title}\n    required: yes please\n",
     "recipes/r.yaml:4: 'required' must be true or false, found text 'yes please'"),
    ("sections:\n  - name: a\n    slides: [title]\n    select: {kind: title}\n",
     "recipes/r.yaml:4: section 'a' has both 'slides' and 'select' (use one: split it into two sections)"),
    ("sections:\n  - name: a\n    limit: 2\n",
     "recipes/r.yaml:2: section 'a' chooses no slides (give it 'slides: [key, ...]' or 'select: {tag: value}', "
     "or use 'include: RECIPE')"),
    ("sections:\n  - slides: [title]\n",
     "recipes/r.yaml:2: section has no 'name' (name it, e.g. 'name: proof')"),
    ("sections:\n  - name: a\n    select: {competitor: $item}\n",
     "recipes/r.yaml:3: '$item': $item only exists in a section with 'for_each' (add 'for_each: FIELD' to the section)"),
    ("sections:\n  - name: a\n    for_each: objetions\n    select: {objection: $item}\n",
     "recipes/r.yaml:3: 'for_each': the prospect has no field 'objetions' (did you mean 'objections'?)"),
    ("sections:\n  - name: a\n    select: {segment: $segmnt}\n",
     "recipes/r.yaml:3: '$segmnt': the prospect has no field 'segmnt' (did you mean 'segment'?)"),
    ("sections:\n  - name: a\n    when: \"prospect.segment ==\"\n    slides: [title]\n",
     "recipes/r.yaml:3: condition 'prospect.segment ==' is not a valid expression: unexpected 'end of template'"),
    ("sections:\n  - name: a\n    slides: [title]\n  - name: a\n    slides: [agenda]\n",
     "recipes/r.yaml:4: section name 'a' is used twice (also at recipes/r.yaml:2) (give each section its own name)"),
    ("sections:\n  - include: closing\n    name: x\n",
     "recipes/r.yaml:3: 'include' must stand alone in its section item, found 'name' beside it "
     "(write the included recipe's sections there, or drop the extra keys)"),
    ("name: [x]\nsections:\n  - {name: a, slides: [title]}\n",
     "recipes/r.yaml:1: 'name' must be text, found a list"),
    ("variables: {annual savings: 1}\nsections:\n  - {name: a, slides: [title]}\n",
     "recipes/r.yaml:1: variable name text 'annual savings' cannot be used in a slide template "
     "(use letters, digits and _ only, e.g. presenter_name)"),
    ("sectons: []\n",
     "recipes/r.yaml:1: unknown key 'sectons' (did you mean 'sections'?)"),
    ("- name: a\n",
     "recipes/r.yaml:1: a recipe must be a mapping with a 'sections:' list, found a list"),
    ("sections:\n  - name: a\n    slides: [title\n",
     "recipes/r.yaml:4: invalid YAML: did not find expected ',' or ']'"),
], ids=["unknown-key", "wrong-type-limit", "wrong-type-slides", "wrong-type-flag", "slides-and-select",
        "no-slides", "no-name", "item-outside-for-each", "unknown-for-each-field", "unknown-ref-field",
        "bad-when", "duplicate-section", "include-not-alone", "name-type", "variable-name", "unknown-top-key",
        "not-a-mapping", "yaml-syntax"])
def test_each_recipe_problem_has_its_message_file_and_line(project, text, message):
    write_text(project / "recipes" / "r.yaml", text)
    got = error_of(load_recipe, "r", project / "recipes")
    assert message in [line.strip() for line in got.splitlines()], got


def test_all_problems_are_reported_at_once(project):
    write_text(project / "recipes" / "r.yaml", """
        sections:
          - name: a
            selct: {kind: title}
          - name: b
            slides: [title]
            limit: 0
        """)
    assert error_of(load_recipe, "r", project / "recipes") == (
        "recipes/r.yaml: invalid recipe (3 problems):\n"
        "  recipes/r.yaml:2: section 'a' chooses no slides (give it 'slides: [key, ...]' or "
        "'select: {tag: value}', or use 'include: RECIPE')\n"
        "  recipes/r.yaml:3: unknown key 'selct' (did you mean 'select'?)\n"
        "  recipes/r.yaml:6: 'limit' must be a whole number of at least 1, found the number 0")


def test_include_cycle_names_the_loop_and_the_line(project):
    write_text(project / "recipes" / "a.yaml", "sections:\n  - {name: a, slides: [title]}\n  - include: b\n")
    write_text(project / "recipes" / "b.yaml", "sections:\n  - {name: b, slides: [agenda]}\n  - include: a\n")
    assert error_of(load_recipe, "a", project / "recipes") == \
        "recipes/b.yaml:3: include cycle: a -> b -> a (remove the include that closes the loop)"


def test_extends_cycle_and_self_include(project):
    write_text(project / "recipes" / "x.yaml", "extends: y\nsections: []\n")
    write_text(project / "recipes" / "y.yaml", "extends: x\nsections:\n  - {name: s, slides: [title]}\n")
    assert error_of(load_recipe, "x", project / "recipes") == \
        "recipes/y.yaml:1: extends cycle: x -> y -> x (remove the extends that closes the loop)"
    write_text(project / "recipes" / "z.yaml", "sections:\n  - include: z\n")
    assert error_of(load_recipe, "z", project / "recipes") == \
        "recipes/z.yaml:2: include cycle: z -> z (remove the include that closes the loop)"


def test_unknown_include_and_recipe_names(project):
    write_text(project / "recipes" / "closing.yaml", "sections:\n  - {name: c, slides: [closing]}\n")
    write_text(project / "recipes" / "r.yaml", "sections:\n  - include: closng\n")
    assert error_of(load_recipe, "r", project / "recipes") == \
        "recipes/r.yaml:2: include: no recipe named 'closng' in recipes (did you mean 'closing'?)"
    assert error_of(load_recipe, "closin", project / "recipes") == \
        "no recipe named 'closin' (did you mean 'closing'?)"
    assert error_of(load_recipe, "recipes/missing.yaml", project / "recipes") == \
        "recipes/missing.yaml: recipe file not found"


def test_a_recipe_given_by_path_resolves_includes_beside_it(project):
    write_text(project / "elsewhere" / "closing.yaml", "sections:\n  - {name: c, slides: [closing]}\n")
    write_text(project / "elsewhere" / "deck.yaml", "sections:\n  - include: closing\n")
    loaded = load_recipe("elsewhere/deck.yaml", project / "recipes")
    assert [s.name for s in loaded.sections] == ["c"]


# --- checks against the library ----------------------------------------------------------------

def test_missing_slides_unknown_tags_and_values_are_errors_against_the_library(project, library):
    text = """
        sections:
          - name: opening
            slides: [title, agnda]
          - name: value
            select: {knd: value-prop}
          - name: proof
            select: {kind: case-studdy}
            fallback: [case-generic, nope]
        """
    assert error_of(plan_of, project, library, text) == (
        "recipes/r.yaml: recipe does not fit the library (4 problems):\n"
        "  recipes/r.yaml:3: no slide with key 'agnda' in the library (did you mean 'agenda'?)\n"
        "  recipes/r.yaml:5: no slide in the library has a 'knd' tag (did you mean 'kind'?)\n"
        "  recipes/r.yaml:7: no slide in the library has kind=case-studdy (did you mean 'case-study'?)\n"
        "  recipes/r.yaml:8: no slide with key 'nope' in the library (see the keys in the sidecars of slide_library)")


def test_a_key_whose_slide_is_gone_says_why(project, make_module):
    make_module(project / "slide_library", "extra", ["Only"], """
        status: approved
        slides:
          - key: gone
            slide_id: 300
        """)
    library = load_library(project / "slide_library", today=TODAY)
    assert error_of(plan_of, project, library, "sections:\n  - {name: a, slides: [gone]}\n") == (
        "recipes/r.yaml:2: slide 'gone' cannot be used: slide_library/extra.yaml:4: key 'gone': slide_id 300 "
        "is not in extra.pptx (did the slide get deleted? current unassigned slides: 256 \"Only\")")


# --- resolution --------------------------------------------------------------------------------

FIRST_CALL = """
    name: First call
    variables: {presenter: Team}
    sections:
      - name: opening
        slides: [title, agenda]
      - name: value
        select: {kind: value-prop, segment: $segment}
        limit: 1
      - name: proof
        select: {kind: case-study, segment: $segment}
        limit: 1
        fallback: [case-generic]
      - name: competition
        for_each: competitors
        select: {kind: battle-card, competitor: $item}
      - name: objections
        for_each: objections
        select: {kind: objection, objection: $item}
        required: true
      - name: security
        when: "'security' in prospect.objections"
        slides: [obj-security]
        allow_repeat: true
      - name: closing
        slides: [closing]
    """


def test_plan_picks_slides_in_order_with_rules(project, library):
    plan = plan_of(project, library, FIRST_CALL)
    assert [(item.key, item.rule) for item in plan.items] == [
        ("title", "section 'opening': listed by key"),
        ("agenda", "section 'opening': listed by key"),
        ("vp-platform", "section 'value': matched kind=value-prop, segment=enterprise (first 1 of 2 matches)"),
        ("case-enterprise", "section 'proof': matched kind=case-study, segment=enterprise"),
        ("battle-acme", "section 'competition' (for each competitors: acme): matched kind=battle-card, competitor=acme"),
        ("obj-price", "section 'objections' (for each objections: price): matched kind=objection, objection=price"),
        ("obj-security", "section 'objections' (for each objections: security): matched kind=objection, "
                         "objection=security"),
        ("obj-security", "section 'security': listed by key; when \"'security' in prospect.objections\" held"),
        ("closing", "section 'closing': listed by key"),
    ]
    first = plan.items[0]
    assert (first.module, first.slide_id, first.number, first.path.name) == ("core", 256, 1, "core.pptx")
    assert plan.title == "First call" and plan.prospect == "Globex"
    assert dict(plan.variables) == {"presenter": "Team", "employees": 12000}
    assert [(s.section, s.key, s.reason) for s in plan.skipped] == [
        ("value", "vp-old", "matched kind=value-prop, segment=enterprise but expired on 2020-01-31"),
        ("value", "vp-everyone", "matched kind=value-prop, segment=enterprise but limit 1 was reached"),
        ("proof", "case-draft", "matched kind=case-study, segment=enterprise but is a draft"),
        ("competition", None, "no slides (for each competitors: hooli): no slide matched kind=battle-card, competitor=hooli"),
    ]
    assert plan.warnings == (
        "globex.yaml: no slide in the library is tagged competitor=hooli",
        "slide_library/value.yaml:13: slide 'vp-old' matched section 'value' but expired on 2020-01-31, "
        "so it was left out",
        "recipes/r.yaml:13: section 'competition' (for each competitors: hooli) chose no slides: "
        "no slide matched kind=battle-card, competitor=hooli")


def test_same_inputs_same_plan(project, library):
    assert plan_of(project, library, FIRST_CALL).to_dict() == plan_of(project, library, FIRST_CALL).to_dict()


def test_fallback_and_conditions_follow_the_prospect(project, library):
    mid = Prospect(company="Initech", segment="mid-market", objections=("price",), source="initech.yaml")
    plan = plan_of(project, library, FIRST_CALL, mid)
    assert plan.keys() == ["title", "agenda", "vp-platform", "case-generic", "obj-price", "closing"]
    proof = plan.items[3]
    assert proof.rule == "section 'proof': fallback key, because no slide matched kind=case-study, segment=mid-market"
    skipped = [(s.section, s.key, s.reason) for s in plan.skipped]
    assert ("security", None, "when \"'security' in prospect.objections\" is false") in skipped
    assert ("competition", None, "the prospect has no competitors") in skipped


def test_fallback_selector_uses_the_same_limit(project, library):
    plan = plan_of(project, library, """
        sections:
          - name: proof
            select: {kind: case-study, industry: $industry}
            fallback: {kind: value-prop}
            limit: 2
        """)
    assert plan.keys() == ["vp-platform", "vp-fast"]
    assert plan.items[0].rule == ("section 'proof': fallback matched kind=value-prop, because no slide matched "
                                  "kind=case-study, industry=(none)")


def test_a_slide_chosen_twice_is_kept_once_unless_allow_repeat(project, library):
    plan = plan_of(project, library, """
        sections:
          - {name: a, slides: [title, agenda]}
          - {name: b, slides: [agenda, closing]}
          - {name: c, slides: [title], allow_repeat: true}
        """)
    assert plan.keys() == ["title", "agenda", "closing", "title"]
    assert [(s.section, s.key, s.reason) for s in plan.skipped] == [
        ("b", "agenda", "already in the deck from section 'a'")]


def test_required_section_that_chooses_nothing_is_an_error(project, library):
    prospect = Prospect(company="Hooli", segment="smb", objections=("lock-in",), source="hooli.yaml")
    assert error_of(plan_of, project, library, FIRST_CALL, prospect) == (
        "recipes/r.yaml:16: section 'objections' (for each objections: lock-in) chose no slides: no slide matched "
        "kind=objection, objection=lock-in (add a matching slide or a 'fallback')")


def test_expired_and_draft_slides_named_by_key(project, library):
    text = "sections:\n  - name: a\n    slides: [vp-old, case-draft]\n"
    assert error_of(plan_of, project, library, text) == (
        "recipes/r.yaml: cannot plan the deck for Globex (2 problems):\n"
        "  recipes/r.yaml:3: slide 'vp-old' expired on 2020-01-31 (slide_library/value.yaml:13) "
        "(update the slide and its 'expires' date, or take it out of the recipe)\n"
        "  recipes/r.yaml:3: slide 'case-draft' is a draft (slide_library/proof.yaml:12) "
        "(set 'status: approved' in its sidecar)")
    text = "sections:\n  - name: a\n    slides: [case-draft]\n  - name: b\n    select: {kind: case-study}\n"
    plan = plan_of(project, library, text, allow_drafts=True)
    assert plan.keys() == ["case-draft", "case-enterprise", "case-generic", "case-smb"]


def test_conditions_see_prospect_and_variables_and_fail_clearly(project, library):
    plan = plan_of(project, library, """
        variables: {deep_dive: true}
        sections:
          - name: big
            when: "prospect.values.employees > 10000 and deep_dive is undefined and variables.deep_dive"
            slides: [agenda]
        """)
    assert plan.keys() == ["agenda"]
    assert error_of(plan_of, project, library, """
        sections:
          - name: big
            when: "prospect.values.revenue > 5"
            slides: [agenda]
        """) == ("recipes/r.yaml:3: condition 'prospect.values.revenue > 5' uses something undefined: "
                 "'dict object' has no attribute 'revenue' (conditions see 'prospect', 'variables')")


def test_prospect_data_is_never_run_as_template_code(project, library):
    sneaky = Prospect(company="{{ 7*7 }}", segment="smb", source="p.yaml")
    plan = plan_of(project, library, """
        sections:
          - name: a
            when: "prospect.company == '{{ 7*7 }}'"
            slides: [title]
        """, sneaky)
    assert plan.keys() == ["title"] and plan.prospect == "{{ 7*7 }}"
    message = error_of(plan_of, project, library, """
        sections:
          - name: a
            when: "prospect.__class__.__mro__"
            slides: [title]
        """, sneaky)
    assert message.startswith("recipes/r.yaml:3: condition 'prospect.__class__.__mro__' is not allowed: "
                              "access to attribute '__class__' of 'dict' object is unsafe.")


def test_slide_level_conditions(project, make_module):
    make_module(project / "slide_library", "zz", ["Security deep dive"], """
        status: approved
        slides:
          - key: deep-security
            slide_id: 256
            tags: {kind: objection, objection: security}
            when: "'security' in prospect.objections and prospect.segment == 'enterprise'"
        """)
    library = load_library(project / "slide_library", today=TODAY)
    text = "sections:\n  - {name: s, select: {kind: objection, objection: security}}\n"
    assert plan_of(project, library, text).keys() == ["obj-security", "deep-security"]
    smb = Prospect(company="A", segment="smb", objections=("security",), source="a.yaml")
    plan = plan_of(project, library, text, smb)
    assert plan.keys() == ["obj-security"]
    assert plan.skipped[0].key == "deep-security"
    assert plan.skipped[0].reason.startswith("its condition ")


def test_unknown_prospect_segment_is_an_error(project, library):
    prospect = Prospect(company="A", segment="enterprize", source="a.yaml")
    assert error_of(plan_of, project, library, "sections:\n  - {name: a, slides: [title]}\n", prospect) == \
        "a.yaml: segment 'enterprize' is not a segment of the library (did you mean 'enterprise'?)"


def test_for_each_over_mappings_selects_on_their_fields(project, library):
    prospect = Prospect(company="A", segment="smb", source="a.yaml",
                        values={"rivals": [{"name": "acme", "share": 3}, {"name": "initech"}]})
    plan = plan_of(project, library, """
        sections:
          - name: rivals
            for_each: values.rivals
            select: {kind: battle-card, competitor: $item.name}
        """, prospect)
    assert plan.keys() == ["battle-acme", "battle-initech"]
    assert plan.items[0].rule == ("section 'rivals' (for each values.rivals: acme): matched kind=battle-card, "
                                  "competitor=acme")
