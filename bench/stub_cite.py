"""``python -m scripts`` with citeproc-py replaced by a stand-in, for corpora too large to cite
in the time a benchmark has (``bench/run.py --stub-citations``; see BENCHMARKS.md).

Citations take about 3 s a source (citeproc-py), so 1,000 sources take most of an hour on two
shared cores. The stand-in returns strings of the same shape (the item's title and URL in each
style), so the pages and passages.json have about the size they would have; every other stage
runs as it is. Figures measured this way are marked as such in BENCHMARKS.md.
"""

from __future__ import annotations

import sys

from scripts import cite
from scripts.cli import main


def _stand_in(work: cite.Work) -> cite.Cited:
    item = work.item
    where = f" ¶ {work.paragraph}" if work.paragraph else ""
    text = f"{item.get('title', '')}. {item.get('container-title', '')}{where}. {item.get('URL', '')}"
    styled = cite.Styled(text, cite.html.escape(text))
    return cite.Cited(dict.fromkeys(cite.STYLES, styled), dict.fromkeys(cite.STYLES, styled))


if __name__ == "__main__":
    cite._cite = _stand_in
    sys.exit(main())
