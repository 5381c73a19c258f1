"""Markup helpers shared by the renderers: escaping source text so it stays inert, and
wrapping glossary mentions in links without changing a character of the text."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from scripts.model import Annotations, Mention, Term

# Characters that Python-Markdown lets a backslash escape (markdown.Markdown.ESCAPED_CHARS).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()>#+\-.!|])")


def escape_markdown(text: str) -> str:
    """Make source text inert in a Markdown line (headings, list items).

    >>> escape_markdown("a *b* <i>[x](y)</i> {{ z }}")
    'a \\\\*b\\\\* &lt;i&gt;\\\\[x\\\\]\\\\(y\\\\)&lt;/i&gt; \\\\{\\\\{ z \\\\}\\\\}'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def escape_html(text: str) -> str:
    """Escape source text for a raw HTML block: it can then never act as markup.

    ``<`` becomes ``&lt;``, so neither tags nor snippet markers (``--8<--``) survive.

    >>> escape_html('<script>"x" & --8<-- "f"')
    '&lt;script&gt;"x" &amp; --8&lt;-- "f"'
    """
    return html.escape(text, quote=False)


def escape_attr(text: str) -> str:
    """Escape text for an HTML attribute value (quotes too)."""
    return html.escape(text, quote=True)


def annotated_text(text: str, mentions: tuple[Mention, ...], annotations: Annotations,
                   href: Callable[[Term], str]) -> str:
    """Paragraph text, escaped, with each marked mention a link (``href(term)``) to its glossary
    entry whose ``title`` (Material's tooltip, shown on hover and keyboard focus) is the short
    definition. Only tags are added: the characters of the text are exactly the paragraph's."""
    out, at = [], 0
    for m in mentions:
        if not m.marked:
            continue
        term = annotations.term(m.term)
        out.append(escape_html(text[at : m.start]))
        out.append(f'<a class="term" href="{href(term)}" title="{escape_attr(term.short)}">'
                   f"{escape_html(text[m.start : m.end])}</a>")
        at = m.end
    out.append(escape_html(text[at:]))
    return "".join(out)
