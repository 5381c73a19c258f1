"""The built site (``mkdocs build --strict``): fidelity, escaping, credit, offline."""

import re
import shutil
import socket
import subprocess
import time
import unicodedata
import urllib.request
from pathlib import Path

import pytest

from scripts.repair import repair

from conftest import ROOT, SEED
from pages import forum_page
from sitebuild import build_site, html_pages, soup

D = "balancing-research-security-and-openness"


def test_built_site_has_no_mojibake(built):
    for page in html_pages(built):
        doc = soup(page)
        for sample in doc.select("code.before, code.marker"):  # the edition notes quote the damage on purpose
            sample.decompose()
        text = doc.get_text()
        bad = [ch for ch in text if unicodedata.name(ch, "").startswith("THAI") or ch in "€\ufffd"]
        assert not bad, f"{page.relative_to(built)}: {bad[:5]}"


def _words(text: str) -> list[str]:
    return text.split()


def test_every_word_of_the_letters_appears_in_order_once(built, seed_text):
    lines = [line.strip() for line in repair(seed_text).text.split("\n") if line.strip()]
    body = lines[lines.index("Read Responses From") + 1 : lines.index("Cite this Article")]
    prose = [line for line in body if not any(line != other and line in other for other in body)]
    expected = _words(" ".join(prose))
    shown = []
    for n in (1, 2, 3):
        page = soup(built / D / f"letter-{n}" / "index.html")
        for tag in page.select(".pull-quote, .para-num"):
            tag.decompose()
        for block in page.select(".letter-body .para, .letter-signature .signature"):
            shown += _words(block.get_text())
    assert shown == expected


def test_paragraph_counts_per_letter(built):
    counts = [len(soup(built / D / f"letter-{n}" / "index.html").select(".letter-body .para")) for n in (1, 2, 3)]
    assert counts == [5, 7, 4]


def test_pull_quotes_are_aria_hidden_and_unnumbered(built):
    page = soup(built / D / "letter-1" / "index.html")
    (quote,) = page.select(".pull-quote")
    assert quote["aria-hidden"] == "true" and not quote.select(".para-num")


def test_every_page_credits_the_publisher_and_links_the_original(built):
    for page in html_pages(built):
        if page.name == "404.html":
            continue
        doc = soup(page)
        credit = doc.select_one(".provenance")
        assert credit is not None, page
        assert "Issues in Science and Technology" in credit.get_text()
        assert "Nuclear Sun Series" in credit.get_text()
        footer = doc.select_one(".md-copyright")
        assert "https://issues.org/balancing-research-security-openness-shih-wagner-forum/" in str(footer)


def test_pages_make_no_third_party_requests(built):
    for page in html_pages(built):
        doc = soup(page)
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src")):
            for el in doc.find_all(tag):
                url = el.get(attr, "")
                if tag == "link" and "stylesheet" not in el.get("rel", []) and "preconnect" not in el.get("rel", []):
                    continue
                assert not re.match(r"^(https?:)?//", url), f"{page}: {tag} {url}"
    for css in built.rglob("*.css"):
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", css.read_text(encoding="utf-8")), css
        assert "fonts.googleapis" not in css.read_text(encoding="utf-8")


def test_passages_json_is_published_and_its_urls_resolve(built):
    import json

    rows = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    for row in rows:
        path, anchor = row["url"].split("#")
        page = soup(built / path / "index.html")
        assert page.find(id=anchor) is not None, row["url"]
        assert page.find(id=anchor).get_text().split()[1:] == row["text"].split()


def test_markup_in_a_source_is_inert_in_the_built_site(tmp_path):
    hostile = ("Try *bold* and _it_ and <script>alert(1)</script> and [x](https://evil.example) and "
               "{{ config.site_name }} and {% raw %} and --8<-- \"mkdocs.yml\".")
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "h.txt").write_text(forum_page(letters=[([hostile], ["Dean", "University"])]), encoding="utf-8")
    site = build_site(sources, tmp_path / "work", glossary="none")
    page = soup(site / "a-title" / "letter-1" / "index.html")
    para = page.select_one(".para")
    assert para.get_text(" ", strip=True).split()[1:] == hostile.split()
    assert not para.find_all(["script", "strong", "em"]) and not page.find("a", href="https://evil.example")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is part of the set-up")
def test_make_serve_serves_the_home_page():
    port = _free_port()
    proc = subprocess.Popen(["make", "-s", "serve", f"PORT={port}"], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    body = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.5)
        assert "Balancing Research Security and Openness" in body
    finally:
        import os
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def test_seed_source_is_never_written(built):
    import hashlib

    assert hashlib.sha256(SEED.read_bytes()).hexdigest().startswith("3a02608604e5")


def _internal_links(site: Path):
    """Every (page, href) of a relative link in the built site (404.html links from the site's root URL)."""
    for page in html_pages(site):
        if page.name == "404.html":
            continue
        for a in soup(page).find_all("a", href=True):
            href = a["href"]
            if re.match(r"^([a-z]+:|//|#$)", href) or href.startswith("mailto:"):
                continue
            yield page, href


def test_every_internal_link_and_anchor_resolves(built):
    checked = 0
    for page, href in _internal_links(built):
        path, _, anchor = href.partition("#")
        target = (page.parent / path).resolve() if path else page
        if target.is_dir():
            target = target / "index.html"
        assert target.exists(), f"{page.relative_to(built)}: {href}"
        if anchor and target.suffix == ".html":
            assert soup(target).find(id=anchor) is not None, f"{page.relative_to(built)}: {href}"
        checked += 1
    assert checked > 100


def test_united_front_is_annotated_and_its_concordance_links_back(built):
    letter = soup(built / D / "letter-1" / "index.html")
    para = letter.find(id="p-individual-analyses-that-claim-to")
    term = para.find("a", class_="term", string="united front")
    assert term["href"] == "../../glossary/united-front/"
    assert "Chinese Communist Party" in term["title"]
    entry = soup(built / "glossary" / "united-front" / "index.html")
    back = [a["href"] for a in entry.select(".concordance a")]
    assert back == [f"../../{D}/letter-1/#p-individual-analyses-that-claim-to"]
    assert entry.select_one(".concordance mark").get_text() == "united front"


def test_glossary_index_has_a_term_by_letter_map(built):
    index = soup(built / "glossary" / "index.html")
    table = index.select_one(".term-map table")
    assert [th.get_text(strip=True) for th in table.select("thead th")] == ["Term", "Letter 1", "Letter 2", "Letter 3"]
    rows = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.find_all("td")]
            for tr in table.select("tbody tr")}
    assert rows["united front"] == ["1", "0", "0"]
    assert rows["decoupling"][0] == "0" and rows["decoupling"][1] != "0" and rows["decoupling"][2] != "0"


def test_terms_are_never_annotated_in_pull_quotes_or_headings(built):
    for n in (1, 2, 3):
        page = soup(built / D / f"letter-{n}" / "index.html")
        assert not page.select(".pull-quote a, h1 a.term, h2 a.term")


def _fragments(site: Path) -> list[dict]:
    """What Pagefind indexed, page by page (its fragments: gzip, a signature, JSON)."""
    import gzip
    import json

    return [json.loads(gzip.decompress(path.read_bytes()).removeprefix(b"pagefind_dcd"))
            for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment"))]


def test_search_indexes_the_letters_and_glossary_not_their_citation_blocks(built):
    """Pagefind indexes the letters (each paragraph an anchor) and the glossary entries, nothing else; the "Cite"
    blocks (the same reference in three styles under every paragraph) stay out, so a search for the journal's
    name is not answered by every paragraph; the engine's own search index is not built."""
    import json

    pages = {f["url"]: f for f in _fragments(built)}
    letters = sorted(u for u in pages if "/letter-" in u)
    entries = sorted(u for u in pages if u.startswith("/glossary/"))
    assert letters == [f"/{D}/letter-{n}/" for n in (1, 2, 3)]
    assert len(entries) == len(list((built / "glossary").glob("*/index.html"))) and len(pages) == 3 + len(entries)
    assert {tuple(pages[u]["filters"]["kind"]) for u in letters} == {("letter",)}
    assert {tuple(pages[u]["filters"]["kind"]) for u in entries} == {("glossary",)}
    letter = pages[f"/{D}/letter-1/"]
    assert "individual analyses that claim to" in letter["content"].lower()
    passages = json.loads((built / "passages.json").read_text(encoding="utf-8"))
    anchors = {a["id"] for a in letter["anchors"]}
    assert {p["id"] for p in passages if p["letter"] == "letter-1"} | {"signature"} <= anchors
    assert letter["meta"]["discussion"] == "Balancing Research Security and Openness"
    for page in pages.values():
        assert "Chicago (18th ed." not in page["content"] and "BibTeX" not in page["content"], page["url"]
        assert "Related passages" not in page["content"], page["url"]
    assert not (built / "search" / "search_index.json").exists()
    words = json.loads((built / "pagefind" / "words" / "5.json").read_text(encoding="utf-8"))
    assert words["front"] >= 2 and "frnt" not in words
