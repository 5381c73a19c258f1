"""Render the glossary: one page per term (definition, notes, sources, concordance) and an
index with a term × letter map. Reads the model and the annotations; never re-parses."""

from __future__ import annotations

from dataclasses import dataclass

from scripts.model import SIGNATURE_ANCHOR, Annotations, Discussion, Letter, Term, passage_key, signature_key
from scripts.render import (
    GLOSSARY,
    LISTED_IN_FULL,
    escape_attr,
    escape_html,
    escape_markdown,
    front_matter,
    journal_name,
    letter_path,
    link,
    page_url,
    provenance,
    site_credit,
    term_url,
)

GLOSSARY_SOURCE = "glossary.yml"
CONTEXT = 70  # characters of context on each side of a concordance line


def term_order(term: Term) -> str:
    """Terms sort by their words, whatever quotation marks open them.

    >>> sorted(["“The Trap”", "brain drain", "Xi"], key=lambda t: term_order(Term(t, t, (), "", "", ())))
    ['brain drain', '“The Trap”', 'Xi']
    """
    return term.term.lstrip("“‘\"'").casefold()


def _clip_left(text: str) -> str:
    if len(text) <= CONTEXT:
        return text
    cut = text[-CONTEXT:]
    return "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut


def _clip_right(text: str) -> str:
    if len(text) <= CONTEXT:
        return text
    cut = text[:CONTEXT]
    return (cut[: cut.rfind(" ")] if " " in cut else cut) + "…"


def _occurrences(term: Term, discussions: list[Discussion], annotations: Annotations):
    """Every occurrence of a term, in reading order: (discussion, letter, place, anchor, text, mention)."""
    for d in discussions:
        for letter in d.letters:
            places = [(f"paragraph {p.number}", p.anchor, p.text, passage_key(d, letter, p)) for p in letter.paragraphs]
            places += [("signature", SIGNATURE_ANCHOR, line, signature_key(d, letter, i))
                       for i, line in enumerate(letter.signature)]
            for place, anchor, text, key in places:
                for m in annotations.mentions.get(key, ()):
                    if m.term == term.id:
                        yield d, letter, place, anchor, text, m


def _place(d: Discussion, letter: Letter, place: str, many: bool) -> str:
    where = f"Letter {letter.number}, {place}"
    return f"{d.title}, {where}" if many else where


@dataclass(frozen=True)
class GlossaryShare:
    """One discussion's part of the glossary's pages (kept by the page cache, like render.HomeShare)."""

    concordance: dict[str, tuple[str, ...]]  # term id → its lines in that term's concordance
    term_map: str      # its table on the glossary index
    credit_term: str   # its credit (provenance) on a term page
    credit_index: str  # …and on the index
    facts: dict        # the footer's facts, used when it is the site's only discussion
    journal: str       # the journal that published it (the credit of a large site's glossary)


def glossary_share(d: Discussion, annotations: Annotations, alone: bool = False) -> GlossaryShare:
    """What ``d`` contributes to the glossary's pages (``alone``: it is the site's only discussion)."""
    path = f"{GLOSSARY}/{GLOSSARY}.md"  # any term page: they share a folder
    lines: dict[str, list[str]] = {}
    for term in annotations.terms:
        for _, letter, place, anchor, text, m in _occurrences(term, [d], annotations):
            href = link(path, f"{page_url(letter_path(d, letter))}#{anchor}")
            left, word, right = text[: m.start], text[m.start : m.end], text[m.end :]
            lines.setdefault(term.id, []).append(
                f'<li><a href="{href}">{escape_html(_place(d, letter, place, not alone))}</a>: '
                f'<span class="kwic">{escape_html(_clip_left(left))}<mark>{escape_html(word)}</mark>'
                f"{escape_html(_clip_right(right))}</span></li>"
            )
    index = f"{GLOSSARY}/index.md"
    terms = tuple(sorted(annotations.terms, key=term_order))
    facts = {"rights": d.fact("rights"), "original_url": d.fact("url")} if alone else {}
    return GlossaryShare({k: tuple(v) for k, v in lines.items()}, _map_table(d, terms, annotations, index),
                         provenance(d, path), provenance(d, index), facts, journal_name(d))


def _site_facts(shares: list[GlossaryShare]) -> dict:
    """The footer's rights and original page, when the glossary serves a single discussion."""
    return shares[0].facts if len(shares) == 1 else {}


def render_term(term: Term, shares: list[GlossaryShare]) -> str:
    out = [front_matter(GLOSSARY_SOURCE, title=term.term, description=term.short, **_site_facts(shares))]
    out.append(f"# {escape_markdown(term.term)}\n\n")
    out.append(f'<p class="definition" markdown="0">{escape_html(term.definition)}</p>\n\n')
    printed = ", ".join(f"“{escape_html(v)}”" for v in (*term.variants, *term.exact))
    out.append(f'<p class="variants" markdown="0">In the letters as {printed}.</p>\n\n')
    if term.notes:
        out.append("## Editorial notes\n\n")
        out += [f'<p class="editorial-note" markdown="0">{escape_html(note)}</p>\n\n' for note in term.notes]
    # Sources and the concordance are left out of search: a search should land on the paragraph
    # itself, not on a quotation of it or on a bibliography.
    out.append("## Sources { data-search-exclude }\n\n<ul class=\"term-sources\" markdown=\"0\">\n")
    for ref in term.sources:
        publisher = f", {escape_html(ref.publisher)}" if ref.publisher else ""
        supports = f' <span class="supports">Supports: {escape_html(ref.supports)}</span>' if ref.supports else ""
        out.append(f'<li><a href="{escape_attr(ref.url)}">{escape_html(ref.title)}</a>{publisher}.{supports}</li>\n')
    out.append("</ul>\n\n")
    lines = [line for s in shares for line in s.concordance.get(term.id, ())]
    out.append(f"## In the letters ({len(lines)}) {{ data-search-exclude }}\n\n")
    out.append('<ul class="concordance" markdown="0">\n' + "\n".join(lines) + "\n</ul>\n\n")
    out += _credits(shares, [s.credit_term for s in shares])
    return "".join(out)


def _credits(shares: list[GlossaryShare], each: list[str]) -> list[str]:
    """``each`` discussion's credit; on a large site, one credit for all (each concordance line links to its
    letter, whose page carries the discussion's own)."""
    return each if len(shares) <= LISTED_IN_FULL else [site_credit(s.journal for s in shares)]


def _map_table(d: Discussion, terms: tuple[Term, ...], annotations: Annotations, path: str) -> str:
    """Which letters of a discussion use which terms, and how often: an accessible table."""
    counts: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for t in terms:
        for _, letter, place, anchor, _, _ in _occurrences(t, [d], annotations):
            counts.setdefault((t.id, letter.slug), []).append((place, anchor))
    used = [t for t in terms if any((t.id, letter.slug) in counts for letter in d.letters)]
    head = "".join(
        f'<th scope="col"><abbr title="{escape_attr(letter.label)}">Letter {letter.number}</abbr></th>'
        for letter in d.letters
    )
    rows = []
    for t in used:
        cells = []
        for letter in d.letters:
            found = counts.get((t.id, letter.slug), [])
            if found:
                place, anchor = found[0]
                href = link(path, f"{page_url(letter_path(d, letter))}#{anchor}")
                cells.append(f'<td><a href="{href}" aria-label="{len(found)} in letter {letter.number}, first in '
                             f'{place}">{len(found)}</a></td>')
            else:
                cells.append('<td class="none">0</td>')
        rows.append(f'<tr><th scope="row"><a href="{link(path, term_url(t.id))}">{escape_html(t.term)}</a></th>'
                    + "".join(cells) + "</tr>")
    return (
        f'<div class="term-map" markdown="0">\n<table>\n<caption>Uses of each term in the letters of '
        f"“{escape_html(d.title)}”</caption>\n"
        f'<thead><tr><th scope="col">Term</th>{head}</tr></thead>\n<tbody>\n' + "\n".join(rows)
        + "\n</tbody>\n</table>\n</div>\n\n"
    )


def render_glossary_index(terms: tuple[Term, ...], shares: list[GlossaryShare]) -> str:
    path = f"{GLOSSARY}/index.md"
    terms = tuple(sorted(terms, key=term_order))
    out = [front_matter(GLOSSARY_SOURCE, title="Glossary",
                         description="Key terms of the letters, defined, sourced and traced through the text.",
                         **_site_facts(shares))]
    out.append("# Glossary\n\n")
    out.append('<p class="glossary-intro" markdown="0">Terms the letters use, each with a neutral definition, '
               "its sources and every place it occurs. In the letters, the first use of a term in each paragraph "
               "links here and shows its short definition on hover or keyboard focus.</p>\n\n")
    out.append('<dl class="glossary-list" markdown="0">\n')
    for t in terms:
        out.append(f'<dt><a href="{link(path, term_url(t.id))}">{escape_html(t.term)}</a></dt>'
                   f"<dd>{escape_html(t.short)}</dd>\n")
    out.append("</dl>\n\n")
    if len(shares) <= LISTED_IN_FULL:
        out.append("## Where the letters use each term\n\n")
        out += [s.term_map for s in shares]
    else:  # a table per discussion would make this page as long as the site: each term's page lists its uses
        out.append('<p class="glossary-intro" markdown="0">Each term\'s page lists every place the letters of the '
                   f"{len(shares)} discussions use it.</p>\n\n")
    out += _credits(shares, [s.credit_index for s in shares])
    return "".join(out)


def glossary_pages(terms: tuple[Term, ...], shares: list[GlossaryShare]) -> dict[str, str]:
    """The glossary's pages by path under ``docs/``, from every discussion's share (none without terms)."""
    if not terms:
        return {}
    files = {f"{GLOSSARY}/index.md": render_glossary_index(terms, shares)}
    for term in terms:
        files[f"{GLOSSARY}/{term.id}.md"] = render_term(term, shares)
    return files


def render_glossary(discussions: list[Discussion], annotations: Annotations) -> dict[str, str]:
    """The glossary's pages by path under ``docs/`` (none when there are no terms)."""
    alone = len(discussions) == 1
    return glossary_pages(annotations.terms, [glossary_share(d, annotations, alone) for d in discussions])
