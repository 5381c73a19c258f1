"""The single-file edition: a whole discussion as one self-contained HTML file.

For readers who keep a copy offline or print it for a seminar: the letters with their
paragraph numbers (the same numbers as the site, so a citation works in both), headings
and signatures; the citation; the rights and the image credit; every repair; and, when
the glossary annotated the text, the definitions of the terms used. Pull quotes, which
only repeat sentences of their letter, are left out.

Self-contained means no external resource of any kind: the stylesheet is inline, there
are no scripts, images or fonts, and the only links to other hosts are the sources a
reader may follow (the original page, the glossary's references). It is HTML rather
than a PDF because any browser opens it offline, it reflows on a phone, screen readers
and search (Ctrl+F) work on it, it prints with its own print styles, and it needs no new
dependency. Like every generated file it reads only the model, never the source text; its
HTML comes from templates/edition.html, whose blocks (paragraphs, signatures, the citation,
the repairs, the account of the edition) are the site's own (templates/_blocks.html).
"""

from __future__ import annotations

from scripts.locate import Place, repair_rows
from scripts.markup import render, segments
from scripts.model import (
    IMAGE_CREDIT,
    PRINTED_CITATION,
    TITLE,
    Annotations,
    Discussion,
    passage_key,
    signature_key,
)
from scripts.render import GENERATOR, NOTICE, SITE_NOTICE_SOURCE, journal_name


def place_href(place: Place) -> str:
    """A repair's place in this file: its letter's paragraph or signature (ids made in templates/edition.html), the
    title, the printed citation or the credits ("" for the lines that are not published).

    >>> from scripts.model import Letter, Paragraph
    >>> p = Paragraph("p-a", 1, "A.", 3)
    >>> place_href(Place("paragraph", Letter("letter-2", 2, (p,), (), (), 3), p)), place_href(Place(TITLE))
    ('#letter-2-p-a', '#title')
    """
    if place.letter is not None:
        return f"#{place.letter.slug}-{place.anchor}"
    if place.part in PRINTED_CITATION:
        return "#citation"
    return {TITLE: "#title", IMAGE_CREDIT: "#rights"}.get(place.part, "")


def render_edition(discussion: Discussion, annotations: Annotations | None = None) -> str:
    """The whole discussion as one HTML document that needs nothing else to be read or printed."""
    d = discussion
    annotations = annotations or Annotations()

    def runs(text, key):
        return segments(text, annotations.mentions.get(key, ()), annotations)

    letters = [{"letter": letter,
                "paragraphs": [(p, runs(p.text, passage_key(d, letter, p))) for p in letter.paragraphs],
                "signature": [runs(line, signature_key(d, letter, i)) for i, line in enumerate(letter.signature)]}
               for letter in d.letters]
    used = {run.term.id for letter in letters for _, rs in letter["paragraphs"] for run in rs if run.term}
    used |= {run.term.id for letter in letters for rs in letter["signature"] for run in rs if run.term}
    count = len(d.letters)
    source = f"{SITE_NOTICE_SOURCE}{d.source}"
    return render(
        "edition.html", d=d, letters=letters, repairs=repair_rows(d, place_href),
        notice=NOTICE.format(command=GENERATOR, source=source),
        source=source,
        description=f"{count} letter{'' if count == 1 else 's'} responding to “{d.responds_to}”.",
        responds={"title": d.responds_to, "href": "", "authors": d.fact("responds_to_authors")},
        term_href=lambda term: f"#term-{term.id}",
        glossary=[t for t in annotations.terms if t.id in used],
        journal=journal_name(d),
        publisher=d.fact("publisher"), url=d.fact("url"), rights=d.fact("rights"))
