"""The single-file edition and the site's "About this edition" in a real browser: no sideways scrolling at 375 and
1,280 px, axe's WCAG 2.2 A/AA rules clean in the light and the dark palette, the repairs table whole (fitting, or
scrolling inside its own box under a visible caption), and every repair's letter-and-paragraph link landing on the
element it names."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import ARTIFACTS, DISCUSSION, WCAG_TAGS, WIDTHS, screenshot

EDITION = f"{DISCUSSION}/{DISCUSSION}.html"
NOTES = f"{DISCUSSION}/notes/"
SCHEMES = ("light", "dark")

# The repairs box as a reader sees it: on screen up to its right edge, its caption shown, and its table's last column
# reachable: scrolled to its end, the box shows the last column's heading, nothing clipping it on the way (a table
# clipped by a wrapper, or wider than a box that does not scroll, fails).
REPAIRS_BOX = """() => {
  const box = document.querySelector('.repairs');
  const caption = box.querySelector('caption');
  window.scrollBy(0, box.getBoundingClientRect().top - 200);  // below Material's fixed header
  box.scrollLeft = box.scrollWidth;
  const last = [...box.querySelectorAll('thead th')].pop().getBoundingClientRect();
  const edge = box.getBoundingClientRect();
  const seen = document.elementFromPoint(last.right - 3, last.top + last.height / 2);
  return {right: edge.right, captionShown: caption.getBoundingClientRect().height > 0
            && getComputedStyle(caption).visibility === 'visible',
          lastColumnInBox: last.right <= edge.right + 1 && last.left >= edge.left - 1,
          lastColumnSeen: Boolean(seen && seen.closest('th') === [...box.querySelectorAll('thead th')].pop()),
          fits: box.scrollWidth <= box.clientWidth};
}"""


@pytest.fixture(scope="module")
def open_page(browser):
    contexts = []

    def opener(url: str, width: int, scheme: str):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("where", [EDITION, NOTES], ids=["edition", "notes"])
def test_no_sideways_scroll_and_the_repairs_table_is_whole(open_page, site_url, where, width, scheme):
    page = open_page(site_url + where, width, scheme)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.evaluate(REPAIRS_BOX)
    assert box["right"] <= width and box["captionShown"], box
    assert box["lastColumnInBox"] and box["lastColumnSeen"], box
    if width >= 1280:
        assert box["fits"], box  # on a desktop the whole table shows without scrolling
    if where == EDITION:
        screenshot(page, f"edition-{width}-{scheme}")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_wcag_violations_in_the_edition(open_page, site_url, width, scheme):
    page = open_page(site_url + EDITION, width, scheme)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    if results.violations_count:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"axe-edition-{width}-{scheme}.txt").write_text(results.generate_report(), encoding="utf-8")
    assert not results.violations_count, results.generate_report()


def test_the_edition_has_a_dark_palette_of_its_own(open_page, site_url):
    colours = {scheme: open_page(site_url + EDITION, 1280, scheme).evaluate(
        "() => [getComputedStyle(document.documentElement).backgroundColor,"
        " getComputedStyle(document.querySelector('.repairs a')).color]") for scheme in SCHEMES}
    assert colours["light"][0] == "rgb(255, 255, 255)" and colours["dark"][0] != colours["light"][0]
    assert colours["dark"][1] != colours["light"][1]


@pytest.mark.parametrize("where", [EDITION, NOTES], ids=["edition", "notes"])
def test_every_repairs_link_lands_on_what_it_names(open_page, site_url, where):
    page = open_page(site_url + where, 1280, "light")
    links = page.locator(".repairs td.where a")
    labels = links.all_inner_texts()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) >= 30 and "Letter 1, ¶3" in labels
    first = {href: i for i, href in reversed(list(enumerate(hrefs)))}  # each place once: the first row naming it
    for href, i in sorted(first.items(), key=lambda item: item[1]):
        label = labels[i]
        page.goto(site_url + where)
        target = href.rsplit("#", 1)[1]
        page.locator(".repairs td.where a").nth(i).click()
        page.wait_for_url(lambda url, target=target: url.endswith("#" + target))
        page.wait_for_load_state()
        element = page.locator(f"[id='{target}']")
        element.wait_for(state="attached")
        assert element.count() == 1 and element.is_visible(), (label, href)
        if label.startswith("Letter") and "¶" in label and "pull quote" not in label:
            number = label.rsplit("¶", 1)[1]
            assert element.get_attribute("data-number") == number, (label, href)
