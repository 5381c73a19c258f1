"""Reading a letter page in a real browser: one quiet control per paragraph (its number opens a menu with the link,
the citation and the related passages), about 40 tab stops a page, the glossary notes of the paragraph being read
in the right-hand margin, a term's definition in place when tapped on a phone, at least 45 characters a line at
375 px, and axe clean with the menus and popovers open in both palettes. Screenshots of a letter page at 375 and
1,280 px in both palettes go to test-artifacts/ (README.md shows one)."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browsing import DISCUSSION, WCAG_TAGS, screenshot, tab_to
from playwright.sync_api import expect

LETTERS = (1, 2, 3)
P3 = "p-individual-analyses-that-claim-to"  # letter 1, paragraph 3: mentions "Chinese Communist Party", "united front"
P4 = "p-given-these-trends-it-is"  # letter 1, paragraph 4: no glossary term
TAB_STOPS = 42  # "about 40": the theme's header, navigation and footer are 17 of them
SCHEMES = ("light", "dark")


def letter_url(site_url: str, n: int) -> str:
    return f"{site_url}{DISCUSSION}/letter-{n}/"


def tab_stops(page, limit: int = 200) -> list[str]:
    """Every element Tab reaches, in order, pressing Tab until the focus comes back to one already reached."""
    page.evaluate("window.__stops = []")
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        found = page.evaluate("""() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            if (window.__stops.includes(e)) return "";
            window.__stops.push(e);
            const kind = e.matches(".para-num") ? "number" : e.closest(".para-menu") ? "menu"
                : e.closest(".letter-body") && !e.matches("a.term") ? "between" : e.tagName.toLowerCase();
            return kind + ": " + (e.getAttribute("aria-label") || e.textContent.trim().slice(0, 40));
        }""")
        if found == "":
            return stops
        if found is not None:
            stops.append(found)
    raise AssertionError(f"the focus never came back round after {limit} presses of Tab")


def read(page, anchor: str) -> None:
    """Scroll as a reader does to read a paragraph: its first line a little above a third of the way down."""
    page.evaluate("id => window.scrollBy(0, document.getElementById(id).getBoundingClientRect().top"
                  " - 0.25 * window.innerHeight)", anchor)


@pytest.fixture
def wide(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("n", LETTERS)
def test_a_letter_page_has_about_40_tab_stops_one_per_paragraph_number(wide, site_url, n):
    wide.goto(letter_url(site_url, n))
    stops = tab_stops(wide)
    assert len(stops) <= TAB_STOPS, "\n".join(stops)
    count = wide.locator(".letter-body .para").count()
    numbers = [s for s in stops if s.startswith("number: ")]
    assert [s.split(": ")[1] for s in numbers] == [f"Paragraph {i}" for i in range(1, count + 1)]
    # Nothing of a closed menu is a stop: no citation, copy button or related passage between the paragraphs.
    assert not [s for s in stops if s.startswith(("menu", "between"))], stops


@pytest.mark.parametrize("width", (375, 1280))
def test_nothing_but_the_text_sits_between_paragraphs(browser, site_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    for n in LETTERS:
        page.goto(letter_url(site_url, n))
        shown = page.evaluate("""() => [...document.querySelector('.letter-body').children]
            .filter(e => e.getBoundingClientRect().height > 0).map(e => e.className)""")
        assert set(shown) <= {"para", "pull-quote"}, shown
    context.close()


def test_the_number_opens_the_paragraphs_menu_with_the_keyboard_and_escape_gives_the_focus_back(wide, site_url):
    wide.goto(letter_url(site_url, 1))
    number = wide.locator(f"#{P3} .para-num")
    expect(number).to_have_accessible_name("Paragraph 3: link, cite, related")
    menu = wide.locator(f"#menu-{P3}")
    expect(menu).to_be_hidden()
    tab_to(wide, f"#{P3} .para-num", limit=60)
    wide.keyboard.press("Enter")
    expect(menu).to_be_visible()
    # The menu's items: the link to the paragraph (the full address), "Cite" and "Related", in that order.
    link = menu.locator(".para-menu-link a.cite-permalink")
    expect(link).to_have_text(letter_url(site_url, 1) + f"#{P3}")
    expect(menu.locator("details > summary")).to_have_text(["Cite paragraph 3", "Related passages in other letters"])
    wide.keyboard.press("Tab")
    assert wide.evaluate("document.activeElement.matches('.para-menu a.cite-permalink')")
    wide.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    assert wide.evaluate(f"document.activeElement === document.querySelector('#{P3} .para-num')")
    # The related passages: links to paragraphs of the other letters, each saying what the two share.
    wide.reload()  # (tabbing through the header's search box left Material's search open over the page)
    number.click()
    menu.locator("details.related > summary").click()
    related = menu.locator("details.related li")
    expect(related.first).to_be_visible()
    for item in related.all():
        assert item.locator("a").get_attribute("href").startswith(("../letter-2/#p-", "../letter-3/#p-"))
        assert item.locator(".shared").inner_text().strip("() ")
    screenshot(wide, "reading-menu-open-1280", full_page=False)
    # Following the link to the paragraph lands on it, and the menu closes behind it.
    link.click()
    expect(menu).to_be_hidden()
    assert wide.evaluate("location.hash") == f"#{P3}"


def test_on_a_phone_the_menu_opens_as_a_sheet_within_the_screen(phone, site_url):
    phone.goto(letter_url(site_url, 1))
    phone.locator(f"#{P3} .para-num").tap()
    menu = phone.locator(f"#menu-{P3}")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["y"] + box["height"] <= 800 + 1, box
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(phone, "reading-menu-open-375", full_page=False)


def test_without_script_the_number_still_opens_the_menu_and_the_citation(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(letter_url(site_url, 1))
    page.locator(f"#{P3} .para-num").click()
    menu = page.locator(f"#menu-{P3}")
    expect(menu).to_be_visible()
    expect(menu.locator(".para-menu-link a")).to_have_attribute("href", f"#{P3}")
    menu.locator("details.cite > summary").click()
    expect(menu.locator('.cite-text[data-style="chicago"][data-form="note"]')).to_contain_text("para. 3")
    # A click elsewhere closes it.
    page.locator("h1").click()
    expect(menu).to_be_hidden()
    context.close()


def test_the_margin_notes_follow_the_paragraph_in_view(wide, site_url):
    wide.goto(letter_url(site_url, 1))
    notes = wide.locator(".md-sidebar--secondary .margin-notes")
    expect(notes).to_be_visible()
    expect(notes).to_have_attribute("data-paragraph", "p-in-the-trap-of-securitizing")
    read(wide, P3)
    expect(notes).to_have_attribute("data-paragraph", P3)
    expect(notes.locator(".margin-notes-title")).to_have_text("Notes to paragraph 3")
    expect(notes.locator("dt")).to_have_text(["Chinese Communist Party (CCP)", "united front"])
    term = wide.locator(f"#{P3} a.term", has_text="united front")
    expect(notes.locator("dt a", has_text="united front")).to_have_attribute("href", term.get_attribute("href"))
    expect(notes.locator("dd").nth(1)).to_have_text(term.get_attribute("title"))
    expect(notes).to_be_in_viewport()
    screenshot(wide, "reading-margin-notes-1280", full_page=False)
    read(wide, P4)
    expect(notes).to_have_attribute("data-paragraph", P4)
    expect(notes).to_contain_text("No glossary terms in this paragraph.")
    expect(notes).to_be_in_viewport()


def test_a_tap_on_a_term_shows_its_definition_without_leaving_the_page(phone, site_url):
    url = letter_url(site_url, 1)
    phone.goto(url)
    term = phone.locator(f"#{P3} a.term", has_text="united front")
    href, short = term.get_attribute("href"), term.get_attribute("title")
    term.tap()
    popover = phone.locator(".term-popover")
    expect(popover).to_be_visible()
    expect(popover.locator(".term-popover-title")).to_have_text("united front")
    expect(popover.locator(".term-popover-short")).to_have_text(short)
    expect(popover.locator("a")).to_have_attribute("href", href)
    assert phone.url == url  # still on the letter
    box, shown = term.bounding_box(), popover.bounding_box()
    assert shown["y"] >= box["y"] + box["height"] - 1 or shown["y"] + shown["height"] <= box["y"] + 1  # beside it
    assert shown["x"] >= 0 and shown["x"] + shown["width"] <= 375
    screenshot(phone, "reading-term-popover-375", full_page=False)
    phone.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    assert phone.evaluate("document.activeElement.matches('a.term')")
    # The entry is one tap further.
    term.tap()
    popover.locator("a").tap()
    phone.wait_for_url("**/glossary/united-front/")


@pytest.mark.parametrize("n", LETTERS)
def test_a_phone_line_holds_at_least_45_characters(phone, site_url, n):
    phone.goto(letter_url(site_url, n))
    chars, lines = phone.evaluate("""() => {
        const paras = [...document.querySelectorAll('.letter-body .para')];
        const longest = paras.reduce((a, b) => b.textContent.length > a.textContent.length ? b : a);
        const text = [...longest.childNodes].filter(node => !node.classList?.contains('para-num'))
            .map(node => node.textContent).join('').trim();
        const lines = longest.getBoundingClientRect().height / parseFloat(getComputedStyle(longest).lineHeight);
        return [text.length, Math.round(lines)];
    }""")
    assert lines >= 8, lines  # a long paragraph, measured over many lines
    assert chars / lines >= 45, f"{chars} characters on {lines} lines: {chars / lines:.1f} a line"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_is_clean_with_a_menu_its_citation_and_a_term_popover_open(browser, site_url, scheme):
    problems = []
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme,
                                      has_touch=width == 375, is_mobile=width == 375)
        page = context.new_page()
        page.goto(letter_url(site_url, 1))
        page.locator(f"#{P3} .para-num").click()
        page.locator(f"#menu-{P3} details.cite > summary").click()
        page.locator(f"#menu-{P3} details.related > summary").click()
        results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
        if results.violations_count:
            problems.append(f"menu open, {width}px, {scheme}:\n{results.generate_report()}")
        page.keyboard.press("Escape")
        if width == 375:
            page.locator(f"#{P3} a.term").first.tap()
            expect(page.locator(".term-popover")).to_be_visible()
            results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            if results.violations_count:
                problems.append(f"term popover open, {width}px, {scheme}:\n{results.generate_report()}")
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", (375, 1280))
def test_screenshots_of_a_letter_page(browser, site_url, width, scheme):
    """The letter page as a reader first sees it, for test-artifacts/ (and README.md's picture)."""
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 375 else 812}, color_scheme=scheme)
    page = context.new_page()
    page.goto(letter_url(site_url, 1))
    if width == 1280:  # the margin notes beside paragraph 3
        read(page, P3)
        expect(page.locator(".margin-notes")).to_have_attribute("data-paragraph", P3)
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", "slate" if scheme == "dark" else "default")
    screenshot(page, f"letter-{width}-{scheme}", full_page=False)
    context.close()


CONTRAST = """el => {
    const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
    const lum = c => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92
        : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    let node = el, bg = 'rgba(0, 0, 0, 0)';
    while (node && /rgba\\(0, 0, 0, 0\\)|transparent/.test(bg)) {
        bg = getComputedStyle(node).backgroundColor; node = node.parentElement;
    }
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(rgb(bg))];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_hovered_link_keeps_text_contrast(browser, site_url, scheme):
    """axe checks links at rest; a pointer over a link turns it the theme's accent colour, which must stay readable
    (WCAG 1.4.3, 4.5:1): Material's indigo accent was 4.25:1 on white."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.goto(letter_url(site_url, 1))
    for selector in (".letter-context a", ".provenance a"):
        link = page.locator(selector).first
        link.hover()
        page.wait_for_timeout(300)  # Material's colour transition (.25 s)
        ratio = link.evaluate(CONTRAST)
        assert ratio >= 4.5, f"{selector} hovered, {scheme}: {ratio:.2f}:1"
    context.close()
