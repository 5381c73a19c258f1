"""Markup: the one place where the pipeline's HTML is made, and the values it gives Material.

Every piece of HTML the project writes, on the site's pages and in the single-file edition, comes
from the Jinja2 templates in ``scripts/templates/``, rendered with autoescaping (as Jinja2's own
documentation advises and as MkDocs itself renders its themes): a value from a source, the glossary
or a metadata file is escaped wherever a template prints it, so it can never become a tag, an
attribute or a script. What must not be escaped is marked ``Markup`` once, where it is made:
the citation HTML that citeproc-py renders from escaped values (scripts/cite.py), and the output
of the templates themselves.

The pages are Markdown files for MkDocs; their text sits inside raw HTML blocks, so the few
source strings printed on Markdown lines (headings, link texts) go through the ``md`` filter,
which escapes Markdown's syntax as well. Front matter and navigation are read by Material, which
prints some of their values without escaping: those go through ``theme_text`` (see there).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from scripts.model import MARKER, Annotations, Mention, Term

TEMPLATES = Path(__file__).resolve().parent / "templates"

# Characters that Python-Markdown lets a backslash escape (markdown.Markdown.ESCAPED_CHARS, plus the
# tables extension's "|").
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")


def escape_markdown(text: str) -> Markup:
    """Make source text inert on a Markdown line (a heading, a link's text): HTML-escaped, and each
    character of Markdown's syntax backslash-escaped.

    >>> str(escape_markdown("a *b* <i>[x](y)</i> {{ z }}"))
    'a \\\\*b\\\\* &lt;i&gt;\\\\[x\\\\]\\\\(y\\\\)&lt;/i&gt; \\\\{\\\\{ z \\\\}\\\\}'
    """
    # html.escape without quotes: "&#x27;" would put a "#" (Markdown syntax) inside an entity.
    return Markup(_MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(str(text), quote=False)))


def theme_text(text: str) -> str:
    """A value for front matter (``title``, ``description``) or a navigation label, as Material is given it.

    Material prints these without escaping (``<title>``, the header, the navigation, the footer's links,
    ``<meta name="description" content="…">``; MkDocs' theme environment has no autoescaping), so the value
    is given HTML-escaped, quotes included: it then shows as the text it is, and can open no tag and close
    no attribute. (The two places where Material escapes a title itself, the footer links' ``aria-label``
    and the table of contents' label, then read an entity for ``&``, ``<``, ``>`` or a quote: harmless, and
    only for titles that contain them.)

    >>> theme_text('Balancing"><script>x</script> & more')
    'Balancing&quot;&gt;&lt;script&gt;x&lt;/script&gt; &amp; more'
    """
    return html.escape(text, quote=True)


def codepoints(text: str) -> str:
    """A text's code points, for a repair's "before" column.

    >>> codepoints("โ€")
    'U+0E42 U+20AC'
    """
    return " ".join(f"U+{ord(ch):04X}" for ch in text)


class Segment(NamedTuple):
    """A run of a text as the templates print it: plain, a glossary term's mention, or the repair marker."""

    text: str
    term: Term | None = None
    marker: bool = False


def segments(text: str, mentions: tuple[Mention, ...] = (), annotations: Annotations | None = None) -> list[Segment]:
    """A text cut into runs: each marked glossary mention its own run, each U+FFFD repair marker its own
    run. Only the cuts are added: the runs' texts joined are exactly ``text``.

    >>> [tuple(s) for s in segments("a \\ufffd b")]
    [('a ', None, False), ('\\ufffd', None, True), (' b', None, False)]
    """
    runs: list[Segment] = []

    def plain(part: str) -> None:
        for n, piece in enumerate(part.split(MARKER)):
            if n:
                runs.append(Segment(MARKER, marker=True))
            if piece:
                runs.append(Segment(piece))

    at = 0
    for m in mentions:
        if not m.marked or annotations is None:
            continue
        plain(text[at : m.start])
        runs.append(Segment(text[m.start : m.end], annotations.term(m.term)))
        at = m.end
    plain(text[at:])
    return runs


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,  # a misspelt name in a template fails the build instead of printing nothing
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = escape_markdown
    env.filters["codepoints"] = codepoints
    return env


ENV = _environment()


def render(template: str, **context: object) -> str:
    """Render one of ``scripts/templates/`` with autoescaping."""
    return ENV.get_template(template).render(**context)


def macro(template: str, name: str) -> Callable[..., Markup]:
    """A macro of one of ``scripts/templates/``, callable from Python (for pieces kept between runs)."""
    return getattr(ENV.get_template(template).module, name)
