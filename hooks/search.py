"""MkDocs hook: one search-index entry per letter paragraph, so a search lands on the passage.

Material's search plugin indexes a page as one entry per heading section; the letters have no
headings inside them, so a hit on a letter would open the top of a long page. This hook adds,
after Material has indexed a page, one entry per body paragraph (``.para`` with an ``id``):

    {"location": "<page>/#<id>", "title": "Letter 1 ¶3", "text": "<the paragraph>", "boost": …}

Material's own entries are left as they are. Material groups the new entries under their page
(the part of the location before ``#``), shows the title as the result's heading and links
straight to the paragraph's anchor. Nothing else does this job: Material's plugin has no option
for indexing elements other than headings, so this is a hook (kept thin; see README "Search").
"""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup
from mkdocs.plugins import event_priority

# Paragraph entries score above the page entry that also contains their words: Material multiplies
# a page's score by 5 and a section's by 2 after the query (material/.../integrations/search), so
# a boost above 2.5 is needed for the paragraph to be the group's best result. Titles keep their
# 1000x field boost, so pages whose titles share a common word with the query (glossary entries
# titled "… Science and Technology …") crowd the first results; at 40, every glossary term's
# paragraphs are among the first dozen results (tests/browser/test_browser_glossary.py), and
# a search for a page's title still lists that page first.
PARAGRAPH_BOOST = 40
SEARCH_PLUGIN = "material/search"
_LETTER_LABEL = re.compile(r"^(Letter \d+)\b")


def paragraph_entries(content: str, url: str, page_title: str) -> list[dict]:
    """Index entries for the numbered paragraphs in a page's HTML.

    >>> paragraph_entries('<div class="letter-body"><p class="para" id="p-a" data-number="3">'
    ...                   '<a class="para-num" href="#p-a">3</a> Fish &amp; <a class="term">chips</a>.</p></div>',
    ...                   "d/letter-2/", "Letter 2: Somewhere")
    [{'location': 'd/letter-2/#p-a', 'title': 'Letter 2 ¶3', 'text': 'Fish &amp; chips.', 'boost': 40}]
    """
    match = _LETTER_LABEL.match(page_title)
    label = match.group(1) if match else page_title
    entries = []
    for para in BeautifulSoup(content, "html.parser").select(".letter-body .para[id]"):
        for number in para.select(".para-num"):
            number.decompose()
        text = " ".join(para.get_text().split())
        entries.append({
            "location": f"{url}#{para['id']}",
            "title": f"{label} ¶{para.get('data-number', '')}".strip(),
            # Material's index holds HTML-escaped text (material/plugins/search/plugin.py, Parser).
            "text": html.escape(text, quote=False),
            "boost": PARAGRAPH_BOOST,
        })
    return entries


@event_priority(-100)  # after Material's search plugin has added the page's own entries
def on_page_context(context, *, page, config, nav):
    search = config.plugins.get(SEARCH_PLUGIN)
    if search is None or not search.config.enabled or (page.meta.get("search") or {}).get("exclude"):
        return context
    search.search_index.entries.extend(paragraph_entries(page.content, page.url, page.title or ""))
    return context
