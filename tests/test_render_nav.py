"""The generated navigation (scripts/render_nav.py): every page listed once, in order, and no
section so long that every page of a large site carries the whole site's list."""

from __future__ import annotations

import re

import pytest

from scripts.annotate import load_glossary
from scripts.model import Citation, Discussion, Letter, Summary
from scripts.render import LISTED_IN_FULL, OTHER_ISSUES
from scripts.render_nav import SECTION_LIMIT, navigation

from conftest import ROOT
from sitebuild import soup


def share(n: int, issue: str = "Vol. XLI, No. 2, Winter 2025") -> Summary:
    """A discussion of two letters printed in ``issue`` ("": none), as the navigation sees it."""
    letters = tuple(Letter(f"letter-{k}", k, (), (), (), 1) for k in (1, 2))
    citation = Citation("Cite this Article", "", issue, 1) if issue else None
    d = Discussion(f"forum-{n}", f"{n}.txt", f"Forum {n}", "", "", letters, citation)
    return Summary(d, d.slug, None, "", ())


def pages_of(summary: Summary) -> list[str]:
    """The pages a discussion of two letters has, in reading order."""
    slug = summary.discussion.slug
    return [f"{slug}/index.md", f"{slug}/letter-1.md", f"{slug}/letter-2.md", f"{slug}/notes.md"]


def pages_in(entry) -> list[str]:
    """Every page path in a navigation entry, in order."""
    if isinstance(entry, str):
        return [entry]
    if isinstance(entry, list):
        return [page for item in entry for page in pages_in(item)]
    (value,) = entry.values()
    return pages_in(value)


def sections(entry, depth: int = 0):
    """(label, entries) of every section, at any depth."""
    if isinstance(entry, list):
        for item in entry:
            yield from sections(item, depth)
    elif isinstance(entry, dict):
        (label, value), = entry.items()
        yield label, value
        yield from sections(value, depth + 1)


# (number of discussions, issues they are spread over)
SIZES = [(1, 1), (SECTION_LIMIT, 1), (SECTION_LIMIT + 1, 1), (SECTION_LIMIT + 1, 3), (200, 1), (1000, 40), (2000, 1)]


@pytest.mark.parametrize(("count", "issues"), SIZES)
def test_every_page_is_listed_once_in_order_and_no_discussion_section_is_long(count, issues):
    # Sources in file order, each issue's together (as numbered files of a journal would be).
    shares = [share(n, f"Issue {(n - 1) * issues // count}") for n in range(1, count + 1)]
    nav = navigation(shares, ())
    assert pages_in(nav) == ["index.md", *(page for s in shares for page in pages_of(s))]
    assert len(nav) <= SECTION_LIMIT + 1  # the home page and at most SECTION_LIMIT sections
    for label, entries in sections(nav):
        if not label.startswith("Forum"):  # a discussion's own section holds its pages, however many letters
            assert len(entries) <= SECTION_LIMIT, label


def test_a_small_site_lists_its_discussions_at_the_top_as_titled_sections():
    nav = navigation([share(1), share(2)], ())
    assert nav == ["index.md", {"Forum 1": pages_of(share(1))}, {"Forum 2": pages_of(share(2))}]


def test_discussions_of_one_issue_are_listed_together():
    shares = [share(n, "Winter" if n % 2 else "Spring") for n in range(1, SECTION_LIMIT + 3)]
    nav = navigation(shares, ())
    assert [next(iter(e)) for e in nav[1:]] == ["Winter", "Spring"]
    assert pages_in(nav[1]) == [page for s in shares[::2] for page in pages_of(s)]


def test_a_large_site_groups_discussions_by_issue_and_numbers_long_runs():
    shares = [share(n, "Winter 2025" if n <= 30 else "") for n in range(1, 33)]
    nav = navigation(shares, ())
    assert [next(iter(e)) for e in nav[1:]] == ["Winter 2025", OTHER_ISSUES]
    assert [next(iter(e)) for e in nav[1]["Winter 2025"]] == ["Discussions 1–12", "Discussions 13–24",
                                                               "Discussions 25–30"]
    assert [next(iter(e)) for e in nav[2][OTHER_ISSUES]] == ["Forum 31", "Forum 32"]


@pytest.fixture(scope="module")
def real_terms():
    return load_glossary(ROOT / "glossary.yml")


def test_the_glossary_section_lists_its_index_then_the_terms_by_name(real_terms):
    nav = navigation([share(1)], real_terms)
    glossary = nav[-1]["Glossary"]
    assert glossary[0] == "glossary/index.md"
    assert sorted(glossary[1:]) == sorted(f"glossary/{t.id}.md" for t in real_terms)
    # By name, whatever quotation marks open it: “The Trap of Securitizing Science” files under T.
    assert glossary[1] == "glossary/as-secure-as-needed.md"
    order = [glossary.index(f"glossary/{name}.md") for name in ("technology-drain", "trap-of-securitizing-science",
                                                                 "united-front")]
    assert order == sorted(order)


def test_a_built_site_past_the_limit_keeps_each_page_to_its_own_branch(large_site):
    """Each letter page's sidebar holds its own discussion's pages and a bounded number of links, and every page
    is in some page's sidebar."""
    site = large_site
    reached, largest = set(), 0
    for page in site.glob("forum-number-*/letter-*/index.html"):
        nav = soup(page).select_one(".md-nav--primary")
        links = [a["href"] for a in nav.select("a[href]")]
        largest = max(largest, len(links))
        here = {(page.parent / href).resolve() for href in links}
        reached |= here
        discussion = page.parent.parent.resolve()
        # Its own discussion's pages are in its sidebar.
        assert {discussion, *(discussion / name for name in ("letter-1", "letter-2", "notes"))} <= here, page
    assert largest <= 3 * SECTION_LIMIT
    built = {p.parent.resolve() for p in site.glob("forum-number-*/**/index.html")}
    assert built <= reached
    # The sidebar names the issue, then the run of discussions a page belongs to.
    sidebar = soup(site / "forum-number-19" / "letter-1" / "index.html").select_one(".md-nav--primary").get_text(" ")
    assert re.search(r"Vol\. XLI, No\. 2, Winter 2025.*Discussions 13–24.*Forum Number 19", " ".join(sidebar.split()))


def test_a_large_sites_home_and_glossary_list_discussions_in_brief(large_site):
    """Past the limit, the home page lists each discussion by issue with links to its letters (no citation
    blocks), the glossary index has no per-discussion tables, and each carries one credit, not one per discussion;
    each term's page still lists every use, linked to its paragraph."""
    home = soup(large_site / "index.html")
    article = home.select_one("article")
    assert [h.get_text(strip=True) for h in article.select("h2")] == ["Vol. XLI, No. 2, Winter 2025"]
    titles = [h.get_text(strip=True) for h in article.select("h3")]
    assert titles == [f"Forum Number {n}" for n in range(1, SECTION_LIMIT * 2 + 2)]
    assert len(article.select(".letter-links a")) == 2 * len(titles)
    assert not article.select(".cite-this, details.cite")
    index = soup(large_site / "glossary" / "index.html").select_one("article")
    term = soup(large_site / "glossary" / "prose" / "index.html").select_one("article")
    for page in (article, index, term):
        credits = page.select("footer.provenance")
        assert len(credits) == 1 and "Issues in Science and Technology" in credits[0].get_text()
    assert not index.select(".term-map")
    # The term's uses, on pages of the uses of at most LISTED_IN_FULL discussions each, linked from one another.
    pages = [term, *(soup(large_site / "glossary" / "prose" / str(n) / "index.html").select_one("article")
                     for n in (2, 3))]
    assert not (large_site / "glossary" / "prose" / "4").exists()
    assert [len(p.select(".concordance li a")) for p in pages] == [2 * LISTED_IN_FULL, 2 * LISTED_IN_FULL, 2]
    assert [a.get_text() for p in pages for a in p.select(".concordance li a")] == [
        f"Forum Number {n}, Letter {k}, paragraph 1" for n in range(1, len(titles) + 1) for k in (1, 2)]
    heading = term.select_one("h2:-soup-contains('In the letters')").get_text(strip=True)
    assert heading == f"In the letters ({2 * len(titles)})"
    folders = [large_site / "glossary" / "prose", *(large_site / "glossary" / "prose" / str(n) for n in (2, 3))]
    for number, page in enumerate(pages, 1):
        for pager in page.select("nav.concordance-pages"):
            assert [a.get_text() for a in pager.select("a")] == [str(n) for n in (1, 2, 3) if n != number]
            assert pager.select_one("[aria-current=page]").get_text() == str(number)
            # Each number links to its own page.
            assert all((folders[number - 1] / a["href"]).resolve() == folders[int(a.get_text()) - 1]
                       for a in pager.select("a"))
    second = large_site / "glossary" / "prose" / "2" / "index.html"
    for a in soup(second).select(".concordance-pages a, .term-back a, .concordance li a"):
        assert (second.parent / a["href"].partition("#")[0] / "index.html").resolve().is_file(), a["href"]
