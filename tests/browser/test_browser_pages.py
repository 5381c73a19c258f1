"""Every page in a real browser: fits phones and desktops, numbers visible, letters reachable by keyboard."""

from __future__ import annotations

import pytest
from browsing import DISCUSSION, WIDTHS, screenshot, site_pages, slug, tab_to
from playwright.sync_api import expect


@pytest.fixture(scope="module")
def pages(built):
    found = site_pages(built)
    assert f"{DISCUSSION}/letter-3/" in found, found
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_fits_without_horizontal_scrolling_and_shows_paragraph_numbers(browser, site_url, pages, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems = []
    for path in pages:
        page.goto(site_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            problems.append(f"{path or '/'} at {width}px scrolls sideways by {overflow}px")
        for number in page.locator(".letter-body .para-num").all():
            box = number.bounding_box()
            if not number.is_visible() or box is None or box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"{path} at {width}px: paragraph number {number.inner_text()!r} not in view")
        screenshot(page, f"page-{slug(path)}-{width}")
    context.close()
    assert not problems, "\n".join(problems)


def test_letter_pages_number_every_paragraph(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    for n in (1, 2, 3):
        page.goto(f"{site_url}{DISCUSSION}/letter-{n}/")
        numbers = page.locator(".letter-body .para-num")
        expect(numbers.first).to_be_visible()
        assert numbers.all_inner_texts() == [str(i) for i in range(1, numbers.count() + 1)]
    context.close()


def test_move_through_the_three_letters_with_the_keyboard_alone(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site_url}{DISCUSSION}/")
    tab_to(page, ".md-content .letter-list a[href$='letter-1/']")
    page.keyboard.press("Enter")
    for n in (1, 2, 3):
        page.wait_for_url(f"**/{DISCUSSION}/letter-{n}/")
        expect(page.locator("h1")).to_contain_text(f"Letter {n} — signed:")
        if n < 3:  # Material's footer: the next page in the site's order
            tab_to(page, "a.md-footer__link--next")
            page.keyboard.press("Enter")
    # And back again with the footer's previous link.
    tab_to(page, "a.md-footer__link--prev")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{DISCUSSION}/letter-2/")
    screenshot(page, "keyboard-letter-2-via-previous", full_page=False)
    context.close()
