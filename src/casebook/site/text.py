"""Contributor text made safe for pages: Markdown rendered then sanitised, glossary terms explained.

Prose fields may use Markdown. It is rendered with Python-Markdown and then cleaned by nh3 with an
allowlist, so no script, event handler, `javascript:` or `data:` URL survives. Plain fields are
escaped. Neither is ever used as template source, so `{{ … }}` in a record stays text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from functools import cache
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrTreeprocessor
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "u", "s", "del", "sup", "sub", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "abbr", "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all glossary terms, longest first, not cut out of a longer Latin/digit run.

    Python-Markdown's abbr extension wraps terms in word boundaries, which never match inside
    Chinese text (every CJK character is a word character); this pattern does not need them.
    """
    return _term_pattern(frozenset(terms))


@cache  # one pattern per glossary, not one per converted text
def _term_pattern(terms: frozenset[str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(f"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])")


class _GlossaryTreeprocessor(AbbrTreeprocessor):
    def run(self, root: etree.Element) -> etree.Element | None:
        self.RE = term_pattern(self.abbrs)
        if self.RE is not None:
            self.iter_element(root)
        return None


class GlossaryExtension(Extension):
    """Python-Markdown extension: `<abbr title=…>` around every glossary term in CJK text."""

    def __init__(self, **kwargs: object) -> None:
        self.config = {"glossary": [{}, "term → plain-text definition"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        processor = _GlossaryTreeprocessor(md, dict(self.getConfig("glossary")))
        md.treeprocessors.register(processor, "casebook_glossary", 6)


def makeExtension(**kwargs: object) -> GlossaryExtension:  # noqa: N802 - Markdown's API
    return GlossaryExtension(**kwargs)


class TextRenderer:
    """Turns contributor text into safe HTML fragments, with glossary terms explained."""

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self.glossary = dict(glossary)
        self._pattern = term_pattern(self.glossary)
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", GlossaryExtension(glossary=self.glossary)],
            output_format="html",
        )

    def prose(self, text: str) -> Markup:
        """Markdown → HTML → allowlist-sanitised HTML."""
        html = self._md.reset().convert(text)
        return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"))

    def plain(self, text: str) -> Markup:
        """Escaped plain text with glossary terms explained."""
        escaped = str(escape(text))
        if self._pattern is None:
            return Markup(escaped)
        return Markup(self._pattern.sub(self._abbr, escaped))

    def _abbr(self, match: re.Match[str]) -> str:
        term = match.group(0)
        return Markup('<abbr title="{}">{}</abbr>').format(self.glossary[term], Markup(term))


# Python-Markdown's backslash escapes; `<`, `>` and `&` are HTML-escaped instead.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!])")


def markdown_inline(text: str) -> Markup:
    """Plain text safe inside a Markdown line (a heading): no markup, no attribute lists."""
    flat = html.escape(" ".join(text.split()), quote=False)
    return Markup(_MD_SPECIAL.sub(r"\\\1", flat))
