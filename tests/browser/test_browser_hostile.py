"""Hostile text stays inert in a real browser: on every page of the site whose source, glossary and metadata
carry scripts in every field (tests/hostile.py), reading, hovering and focusing the glossary terms, searching
the hostile words and opening the results run nothing (no alert, confirm or prompt) and fetch nothing from
another host."""

from __future__ import annotations

from urllib.parse import urlparse

from browsing import result_links, search, site_pages

from conftest import serve
from hostile import TERM_WORDS


def test_nothing_runs_and_nothing_is_fetched_on_any_page(browser, hostile_sites):
    site = hostile_sites[0]
    with serve(site) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        dialogs, errors, requests = [], [], []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        paths = site_pages(site)
        editions = [p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.parent.name == p.stem]
        assert len(paths) >= 7 and len(editions) == 1
        for path in [*paths, *editions]:
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            for term in page.locator("a.term").all()[:6]:
                term.hover()  # Material's tooltip shows the short definition: hostile text too
                term.focus()
            page.mouse.move(1, 1)
        page.goto(base)
        for query in (TERM_WORDS, "script alert", "onerror"):
            search(page, query)
            result_links(page).first.click()  # the hostile words are found (glossary and letters) and followed
            page.wait_for_load_state("networkidle")
        context.close()
    assert dialogs == []
    assert errors == []
    hosts = {urlparse(url).netloc for url in requests}
    assert hosts == {urlparse(base).netloc}, hosts
