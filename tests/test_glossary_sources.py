"""Glossary sources a scholar can cite: a real title, the date it was checked, a page on the original publisher's
host (never a mirror, aggregator or study site) or a book by its authors; the facts checked against them; each
source printed on its term page as it is cited."""

import re
from datetime import date

import pytest
from bs4 import BeautifulSoup

from scripts.annotate import load_glossary
from scripts.datafiles import DENIED_HOSTS, GLOSSARY, denied_host, load_text
from scripts.errors import PipelineError

from conftest import ROOT

CHECKED = "checked: '2026-11-30'"
CHECKED_MESSAGE = "expected the date the source was checked, in quotes as YYYY-MM-DD (like '2026-11-30')"
TITLE_MESSAGE = "is a placeholder, not the source's own title; expected the title as the source gives it"
HOST_MESSAGE = ("is on a host the glossary does not cite (a mirror, aggregator, study or exam-prep site, law-firm "
                "blog or non-encyclopaedic Wikipedia edition); expected the original publisher's page")


def glossary(*sources: str) -> str:
    """One entry whose sources start on line 7, one source a line."""
    return ("- id: x\n  term: x\n  variants: [united front]\n  short: s\n  definition: d\n  sources:\n"
            + "".join(f"    - {{{s}}}\n" for s in sources))


def good(url: str = "https://www.justice.gov/opa/speech/x", title: str = "A Real Title") -> str:
    return f"title: '{title}', url: '{url}', {CHECKED}"


# Each bad source is refused with the line it is on and what is wrong with it.
BAD = {
    "placeholder from a URL": (glossary(good(), good(title="Department of Justice Unveils (title from URL)")),
                               f":8: entry 'x': sources #2, title: 'Department of Justice Unveils (title from URL)' "
                               f"{TITLE_MESSAGE}"),
    "placeholder not shown": (glossary(good(title="Home page (title not shown in stored copy)")),
                              f":7: entry 'x': sources #1, title: 'Home page (title not shown in stored copy)' "
                              f"{TITLE_MESSAGE}"),
    "untitled": (glossary(good(title="Untitled")), f":7: entry 'x': sources #1, title: 'Untitled' {TITLE_MESSAGE}"),
    "simple wikipedia": (glossary(good("https://simple.wikipedia.org/wiki/Xi_Jinping")),
                         f":7: entry 'x': sources #1, url: 'https://simple.wikipedia.org/wiki/Xi_Jinping': "
                         f"simple.wikipedia.org {HOST_MESSAGE}"),
    "simple mobile wikipedia": (glossary(good("https://simple.m.wikipedia.org/wiki/Xi_Jinping")),
                                f":7: entry 'x': sources #1, url: 'https://simple.m.wikipedia.org/wiki/Xi_Jinping': "
                                f"simple.m.wikipedia.org {HOST_MESSAGE}"),
    "nostalgia wikipedia": (glossary(good("https://nostalgia.wikipedia.org/wiki/CCP")),
                            ":7: entry 'x': sources #1, url: 'https://nostalgia.wikipedia.org/wiki/CCP': "
                            f"nostalgia.wikipedia.org {HOST_MESSAGE}"),
    "study notes, www and upper case": (glossary(good("https://WWW.Studylib.net/doc/25899034")),
                                        ":7: entry 'x': sources #1, url: 'https://WWW.Studylib.net/doc/25899034': "
                                        f"studylib.net {HOST_MESSAGE}"),
    "CRS mirror": (glossary(good("https://www.everycrsreport.com/reports/R47635.html")),
                   ":7: entry 'x': sources #1, url: 'https://www.everycrsreport.com/reports/R47635.html': "
                   f"everycrsreport.com {HOST_MESSAGE}"),
    "exam prep": (glossary(good("https://foreignserviceexam.org/pick/")),
                  f":7: entry 'x': sources #1, url: 'https://foreignserviceexam.org/pick/': foreignserviceexam.org "
                  f"{HOST_MESSAGE}"),
    "aggregator": (glossary(good("https://menafn.com/1108991781/x")),
                   f":7: entry 'x': sources #1, url: 'https://menafn.com/1108991781/x': menafn.com {HOST_MESSAGE}"),
    "law-firm blog": (glossary(good("https://www.thompsonhinesmartrade.com/2018/11/x/")),
                      ":7: entry 'x': sources #1, url: 'https://www.thompsonhinesmartrade.com/2018/11/x/': "
                      f"thompsonhinesmartrade.com {HOST_MESSAGE}"),
    "no checked date": (glossary("title: t, url: 'https://e.org'"), ":7: entry 'x': sources #1: missing checked"),
    "checked date not in quotes": (glossary("title: t, url: 'https://e.org', checked: 2026-11-30"),
                                   f":7: entry 'x': sources #1, checked: {CHECKED_MESSAGE}, got date 2026-11-30"),
    "checked in words": (glossary("title: t, url: 'https://e.org', checked: '30 November 2026'"),
                         f":7: entry 'x': sources #1, checked: {CHECKED_MESSAGE}, got '30 November 2026'"),
    "no such month": (glossary("title: t, url: 'https://e.org', checked: '2026-13-01'"),
                      f":7: entry 'x': sources #1, checked: {CHECKED_MESSAGE}, got '2026-13-01'"),
    "neither url nor authors": (glossary(f"title: t, publisher: p, {CHECKED}"),
                                ":7: entry 'x': sources #1: missing url or authors"),
    "no title": (glossary(f"url: 'https://e.org', {CHECKED}"), ":7: entry 'x': sources #1: missing title"),
}


@pytest.mark.parametrize(("text", "message"), BAD.values(), ids=BAD.keys())
def test_a_source_a_scholar_would_not_cite_is_refused_with_its_line(text, message):
    with pytest.raises(PipelineError) as err:
        load_text(text, "glossary.yml", GLOSSARY)
    assert err.value.format() == f"error: glossary.yml{message}"


GOOD = {
    "a dated English Wikipedia revision": good("https://en.wikipedia.org/w/index.php?title=X&oldid=861903028"),
    "a host that only ends like a denied one": good("https://notstudylib.net/x"),
    "a denied name in the path": good("https://www.britannica.com/topic/studylib.net"),
    "a book by its authors, no url": f"title: 'Security: A New Framework', authors: Barry Buzan, {CHECKED}",
    "a chapter with every field": (f"title: t, authors: a, container: 'Ronnie D. Lipschutz (ed.), On Security', "
                                   f"publisher: p, year: '1995', supports: s, url: 'https://e.org', {CHECKED}"),
}


@pytest.mark.parametrize("source", GOOD.values(), ids=GOOD.keys())
def test_a_citable_source_loads(source):
    assert load_text(glossary(source), "glossary.yml", GLOSSARY).data[0]["sources"][0]["title"]


@pytest.fixture(scope="module")
def terms():
    return load_glossary(ROOT / "glossary.yml")


def test_every_source_of_the_real_glossary_is_checked_titled_and_on_its_publishers_host(terms):
    for term in terms:
        for ref in term.sources:
            where = (term.id, ref.title)
            assert date.fromisoformat(ref.checked) >= date(2024, 12, 13), where  # after the latest fact it supports
            assert not re.search(r"(?i)title from url|not shown|untitled", ref.title), where
            if ref.url:
                assert ref.url.startswith(("https://", "http://")) and not denied_host(ref.url, DENIED_HOSTS), where
                assert "wikipedia.org" not in ref.url or "oldid=" in ref.url, where  # only a dated revision
            else:
                assert ref.authors and ref.publisher and (ref.year or ref.container), where  # a book, cited in full


# The facts the issue asked to check, as the sources checked them (issue 17).
FACTS = {
    "issues-in-science-and-technology": (["National Academy of Sciences, the National Academy of Engineering and "
                                          "the Institute of Medicine launched it together in 1984"], []),
    "research-security": (["guidance of January 2022", "on 14 January 2021"], []),
    "united-front": (["the Party's three \"magic weapons\""], ["his \"Three Magic Weapons\""]),
    "securitization": (["Security: A New Framework for Analysis (1998)", "\"Securitization and Desecuritization\""],
                       ["Wikipedia says"]),
}


@pytest.mark.parametrize(("term_id", "facts"), FACTS.items(), ids=FACTS.keys())
def test_the_checked_facts_are_what_the_definitions_say(terms, term_id, facts):
    definition = next(t for t in terms if t.id == term_id).definition
    said, unsaid = facts
    assert all(s in definition for s in said), definition
    assert not any(u in definition for u in unsaid), definition


def test_a_term_page_cites_each_source_with_its_title_publisher_and_checked_date():
    page = (ROOT / "docs/glossary/securitization.md").read_text(encoding="utf-8")
    items = BeautifulSoup(page, "html.parser").select(".term-sources li")
    texts = [" ".join(li.get_text().split()) for li in items]
    assert texts[0].startswith("Barry Buzan, Ole Wæver and Jaap de Wilde, Security: A New Framework for Analysis, "
                               "Lynne Rienner Publishers, Boulder and London, 1998; checked 30 November 2026.")
    assert items[0].select_one("a cite").get_text() == "Security: A New Framework for Analysis"
    assert texts[1].startswith("Ole Wæver, Securitization and Desecuritization, in Ronnie D. Lipschutz (ed.), On "
                               "Security, pp. 46–86, Columbia University Press, New York, 1995; checked 30 November")
    assert items[1].select_one("a") is None  # a chapter without an address is not a link
    assert all("checked 30 November 2026" in t for t in texts)
