"""Small synthetic forum pages in the seed's shape, for tests."""

from __future__ import annotations


def forum_page(title: str = "A Title", article: str = "Some Article", letters=None, credit: str = "Credit, © X.",
               citation: bool = True) -> str:
    letters = letters or [(["First paragraph of the letter."], ["Professor", "Some University"])]
    lines = [credit, title, "A DISCUSSION OF", article, "Read Responses From"]
    for paragraphs, signature in letters:
        lines += [*paragraphs, *signature]
    if citation:
        lines += ["Cite this Article", f"“{title}.” Issues in Science and Technology 41, no. 2 (Winter 2025).",
                  "Vol. XLI, No. 2, Winter 2025"]
    return "\n\n".join(lines) + "\n"
