"""Any number of sources: each its own discussion, nothing shared by accident.

The seed and a second, synthetic forum page (tests/fixtures/sources/001_liberty.txt, built
from public-domain essays and damaged the seed's way) are built together into one site.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from scripts.generate import RESERVED_SLUGS, site_files
from scripts.repair import repair

from conftest import ROOT, SEED
from corpus import CLEAN, FIXTURE, FIXTURE_SLUG, SEED_SLUG, both_sources, damage
from pages import forum_page
from sitebuild import build_site, soup, words


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """The seed and the fixture, generated and built together with ``mkdocs build --strict``."""
    work = tmp_path_factory.mktemp("many")
    return build_site(both_sources(work / "sources"), work / "build")


def _clean_prose() -> tuple[list[list[str]], list[str]]:
    """The fixture's letters as written: per letter, its prose lines; and the pull quotes."""
    lines = [line for line in CLEAN.read_text(encoding="utf-8").split("\n") if line]
    body = lines[lines.index("Read Responses From") + 1 : lines.index("Cite this Article")]
    letters, current = [], []
    for line in body:
        if len(line.split()) <= 16 and not line.endswith((".", "”", ";")):
            if current:
                letters.append(current)
            current = []
        else:
            current.append(line)
    quotes = [line for line in body if any(line != other and line in other for other in body)]
    return letters, quotes


def test_fixture_is_the_clean_page_damaged_the_seeds_way_and_repairs_exactly():
    clean = CLEAN.read_text(encoding="utf-8")
    damaged = FIXTURE.read_text(encoding="utf-8")
    assert damage(clean) == damaged and damaged != clean
    assert "โ€" in damaged and "ยฉ" in damaged
    fixed = repair(damaged)
    assert fixed.text == clean
    assert fixed.changes and all(c.resolved for c in fixed.changes)


def test_each_source_is_its_own_discussion_with_its_own_pages(many):
    for slug, title in ((SEED_SLUG, "Balancing Research Security and Openness"),
                        (FIXTURE_SLUG, "Liberty, Conscience, and Dissent")):
        home = soup(many / slug / "index.html")
        assert home.select_one("article h1").get_text(strip=True) == title
        assert len(home.select(".letter-list > li")) == 3
        for n in (1, 2, 3):
            letter = soup(many / slug / f"letter-{n}" / "index.html")
            assert title in letter.select_one(".letter-context").get_text()
        notes = soup(many / slug / "notes" / "index.html")
        assert title in notes.select_one(".edition-summary").get_text()


def test_the_home_page_lists_every_discussion_and_links_its_letters(many):
    home = soup(many / "index.html")
    hrefs = {a["href"].rstrip("/").removesuffix("/index.html") for a in home.select("article a[href]")}
    for slug in (SEED_SLUG, FIXTURE_SLUG):
        assert slug in hrefs
        assert {f"{slug}/letter-{n}" for n in (1, 2, 3)} <= hrefs
    text = home.get_text()
    assert "Balancing Research Security and Openness" in text and "Liberty, Conscience, and Dissent" in text


def test_the_fixtures_letters_publish_every_word_in_order(many):
    letters, quotes = _clean_prose()
    assert len(letters) == 3 and len(quotes) == 3
    for n, prose in enumerate(letters, start=1):
        page = soup(many / FIXTURE_SLUG / f"letter-{n}" / "index.html")
        shown = [" ".join(words(p)) for p in page.select(".letter-body .para")]
        assert shown == [" ".join(line.split()) for line in prose if line not in quotes]
        assert {q.get_text(strip=True) for q in page.select(".pull-quote")} <= set(quotes)


def test_passage_identifiers_never_collide_across_sources(many):
    rows = json.loads((many / "passages.json").read_text(encoding="utf-8"))
    by_discussion = Counter(row["discussion"] for row in rows)
    assert set(by_discussion) == {SEED_SLUG, FIXTURE_SLUG}
    urls = [row["url"] for row in rows]
    assert len(set(urls)) == len(urls)
    assert len({(row["discussion"], row["letter"], row["id"]) for row in rows}) == len(rows)
    for row in rows:
        assert row["url"].startswith(f"{row['discussion']}/{row['letter']}/#")
        path, anchor = row["url"].split("#")
        para = soup(many / path / "index.html").find(id=anchor)
        assert para is not None and words(para) == row["text"].split(), row["url"]


def test_no_page_repeats_an_id(many):
    for page in many.rglob("*.html"):
        ids = Counter(tag["id"] for tag in soup(page).find_all(id=True))
        assert not [i for i, n in ids.items() if n > 1], page.relative_to(many)


def test_one_sources_facts_never_appear_on_anothers_pages(many):
    seed_url = "issues.org/balancing-research-security-openness"
    for page in (many / FIXTURE_SLUG).rglob("index.html"):
        article = soup(page).select_one("article")
        assert seed_url not in str(article) and "Nuclear Sun Series" not in article.get_text(), page
        assert "Walden Pond" in article.select_one(".provenance").get_text()
    for page in (many / SEED_SLUG).rglob("index.html"):
        article = soup(page).select_one("article")
        assert "Walden" not in article.get_text() and "Emerson" not in article.get_text(), page


def test_adding_a_source_leaves_the_seeds_passages_where_they_were(tmp_path):
    alone = json.loads(site_files(SEED.parent, None)["passages.json"])
    together = json.loads(site_files(both_sources(tmp_path), None)["passages.json"])
    keep = ("id", "discussion", "letter", "number", "text", "url", "cite")
    assert [{k: r[k] for k in keep} for r in together if r["discussion"] == SEED_SLUG] == \
        [{k: r[k] for k in keep} for r in alone]


def test_sources_with_one_title_or_a_reserved_name_each_keep_their_own_pages(tmp_path):
    titles = {"a.txt": "Same Title", "b.txt": "Same Title", "c.txt": "Glossary", "d.txt": "Search",
              "e.txt": "Same Title B", "f.txt": "Stylesheets", "g.txt": "Pagefind", "same-title-b.txt": "Same Title"}
    for name, title in titles.items():
        page = forum_page(title=title, letters=[([f"The letter of {name} says its own thing."], ["Dean", name])])
        (tmp_path / name).write_text(page, encoding="utf-8")
    shutil.copy2(SEED, tmp_path / SEED.name)  # the glossary's terms occur in the seed
    files = site_files(tmp_path, ROOT / "glossary.yml")
    rows = json.loads(files["passages.json"])
    slugs = [r["discussion"] for r in rows if r["discussion"] != SEED_SLUG]
    assert len(set(slugs)) == len(titles) and not set(slugs) & RESERVED_SLUGS
    for row in rows:
        if row["discussion"] == SEED_SLUG:
            continue
        name = row["text"].split()[3]
        assert row["text"] == f"The letter of {name} says its own thing."
        letter = files[f"{row['discussion']}/{row['letter']}.md"]
        assert row["text"] in letter and f"Dean<br>\n{name}" in letter
        assert titles[name] in files[f"{row['discussion']}/index.md"]
    assert "# Glossary" in files["glossary/index.md"]


def test_generate_builds_any_folder_of_sources_into_any_docs_folder(tmp_path):
    sources = both_sources(tmp_path / "in put")
    (sources / "notes.md").write_text("not a source\n", encoding="utf-8")
    docs = tmp_path / "deep" / "new" / "docs"
    done = subprocess.run([sys.executable, "-m", "scripts", "generate", "--sources", "in put", "--docs",
                           str(docs.relative_to(tmp_path))], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    manifest = json.loads((docs / ".generated.json").read_text(encoding="utf-8"))
    written = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
    assert written == sorted([*manifest, ".generated.json"])
    for slug in (SEED_SLUG, FIXTURE_SLUG):
        assert {f"{slug}/index.md", f"{slug}/notes.md", *(f"{slug}/letter-{n}.md" for n in (1, 2, 3))} <= set(manifest)
    assert not any(p == "notes.md" for p in manifest)
