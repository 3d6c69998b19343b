"""Text that users write themselves (a team's Markdown from ``--teksten``, the ``tekst`` of a manual
verdict) made safe to show in a report: rendered by a Markdown library with raw HTML off, then cleaned
by a maintained sanitiser (nh3, the Ammonia HTML sanitiser) that keeps only text markup and web or
mail links. No script, style, frame, event handler or image survives, so a report stays offline and
cannot be made to run code or call out."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "h3", "h4", "a", "hr"}
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~&])")


def html(markdown: str) -> str:
    """A user's Markdown as safe HTML (headings become level 3: the report owns the levels above)."""
    rendered = _MARKDOWN.render(markdown or "")
    return nh3.clean(rendered, tags=TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def plain(text: str) -> str:
    """A user's one-line text (a manual verdict) for use inside a report's Markdown: every Markdown and
    HTML character escaped, so it reads exactly as written and cannot become a link, tag or heading."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text or "").split()))
