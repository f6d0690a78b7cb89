"""Contributor text made safe for pages: Markdown rendered then sanitised, glossary terms explained.

Prose fields may use Markdown. It is rendered with Python-Markdown and then cleaned by nh3 with an
allowlist, so no script, event handler, `javascript:` or `data:` URL survives. Plain fields are
escaped. Neither is ever used as template source, so `{{ … }}` in a record stays text.

A reference to another record (`[[indicator:yijiantiao-villages]]`, see
casebook.library.references) becomes that record's name, linked where the caller gives a link:
the caller resolves it (`Refer`), this module only puts the name and the address in place, as
text and as an attribute, escaped like everything else.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrTreeprocessor
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString
from markupsafe import Markup, escape

from casebook.library.references import REFERENCE

# `[[…]]`'s contents → the name to show and the address to link (None: the name alone), or None
# to leave the text as written.
Refer = Callable[[str], tuple[str, str | None] | None]

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
    """Python-Markdown extension: `<abbr title=…>` around every glossary term in CJK text.

    A site engine loads it from mkdocs.yml with `glossary_file`, the JSON object of term →
    definition that casebook.handover.stage writes beside the staged pages; the pipeline passes
    `glossary` itself.
    """

    def __init__(self, **kwargs: object) -> None:
        self.config = {"glossary": [{}, "term → plain-text definition"],
                       "glossary_file": ["", "a JSON file of term → plain-text definition"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Markdown's API
        glossary = dict(self.getConfig("glossary"))
        source = self.getConfig("glossary_file")
        if source and Path(source).is_file():
            glossary.update(json.loads(Path(source).read_text(encoding="utf-8")))
        processor = _GlossaryTreeprocessor(md, glossary)
        md.treeprocessors.register(processor, "casebook_glossary", 6)


def makeExtension(**kwargs: object) -> GlossaryExtension:  # noqa: N802 - Markdown's API
    return GlossaryExtension(**kwargs)


class _ReferenceProcessor(InlineProcessor):
    """`[[…]]` → `<a href>name</a>` (or the name alone), asking `refer` set for each conversion."""

    refer: Refer | None = None

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[object, int, int]:  # noqa: N802
        found = self.refer(m.group(1)) if self.refer else None
        if found is None:
            return None, None, None  # type: ignore[return-value] - Markdown's "no match"
        name, href = found
        if href is None:
            return AtomicString(name), m.start(0), m.end(0)
        link = etree.Element("a", {"href": href})
        link.text = AtomicString(name)  # a name, never Markdown or HTML
        return link, m.start(0), m.end(0)


class TextRenderer:
    """Turns contributor text into safe HTML fragments, with glossary terms explained."""

    def __init__(self, glossary: Mapping[str, str]) -> None:
        self.glossary = dict(glossary)
        self._pattern = term_pattern(self.glossary)
        self._md = markdown.Markdown(
            extensions=["tables", "sane_lists", GlossaryExtension(glossary=self.glossary)],
            output_format="html",
        )
        self._references = _ReferenceProcessor(REFERENCE.pattern, self._md)
        # Before Markdown's own links (`[a](b)`, priority 160–170), after code spans (190).
        self._md.inlinePatterns.register(self._references, "casebook_reference", 175)

    def prose(self, text: str, refer: Refer | None = None) -> Markup:
        """Markdown → HTML → allowlist-sanitised HTML; references resolved by `refer`."""
        self._references.refer = refer
        try:
            html = self._md.reset().convert(text)
        finally:
            self._references.refer = None
        return Markup(nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                                url_schemes=URL_SCHEMES, link_rel="noopener noreferrer nofollow"))

    def plain(self, text: str, refer: Refer | None = None) -> Markup:
        """Escaped plain text with glossary terms explained; references resolved by `refer`."""
        if refer is None or "[[" not in text:
            return self._explained(text)
        parts: list[str] = []
        last = 0
        for match in REFERENCE.finditer(text):
            found = refer(match.group(1))
            if found is None:
                continue
            parts.append(self._explained(text[last:match.start()]))
            name, href = found
            parts.append(Markup('<a href="{}">{}</a>').format(href, name) if href else escape(name))
            last = match.end()
        parts.append(self._explained(text[last:]))
        return Markup("".join(parts))

    def _explained(self, text: str) -> Markup:
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
