"""Text users write (a team's Markdown, a manual verdict's tekst) cannot inject markup into a report."""

from markdown_it import MarkdownIt

from regiekit.publish import verdicts
from regiekit.reports import usertext
from regiekit.reports.common import sentence

from .test_monitor import PAYLOADS, _tags

DANGEROUS = {"script", "img", "iframe", "style", "object", "embed"}


def _unsafe(page: str) -> list:
    tags = _tags(page)
    return [t for t, _ in tags if t in DANGEROUS] + \
        [a for _, attrs in tags for a, v in attrs if a.startswith("on") or "javascript:" in (v or "")]


def test_a_teams_markdown_keeps_its_markup_and_loses_every_payload():
    text = "\n\n".join(["### Rode draden", "- *Ouders* voelen zich **gehoord**", *PAYLOADS,
                        "[Envedder](https://www.envedder.nl)"])
    # the check itself: Markdown rendered with raw HTML on lets every payload through
    assert len(_unsafe(MarkdownIt("commonmark").render(text))) >= 6
    safe = usertext.html(text)
    assert _unsafe(safe) == []
    assert "<h3>Rode draden</h3>" in safe and "<em>Ouders</em>" in safe and "<strong>gehoord</strong>" in safe
    assert '<a href="https://www.envedder.nl" rel="noopener noreferrer">Envedder</a>' in safe
    assert "&lt;script&gt;alert('s')&lt;/script&gt;" in safe   # shown as the text it is


def test_a_manual_verdict_reads_as_written_and_is_never_markup():
    tekst = "Zie <script>alert(1)</script> en [klik](javascript:alert(2)) *nu*"
    manual = verdicts.Verdict("jeugdhulp_pct", "GM0106", 2024, "verbetert", tekst, manual=True)
    shown = MarkdownIt("commonmark").render(f"- **Jeugdhulp**: {sentence(manual)}")  # as the report's Markdown
    assert _unsafe(shown) == [] and "<a " not in shown and "<em>" not in shown
    assert "Zie &lt;script&gt;alert(1)&lt;/script&gt; en [klik](javascript:alert(2)) *nu*" in shown
    generated = verdicts.Verdict("jeugdhulp_pct", "GM0106", 2024, "verbetert", "Het *daalt*.")
    assert sentence(generated) == "Het *daalt*."   # the package's own sentences keep their Markdown


def test_text_that_a_spreadsheet_would_run_is_kept_as_text():
    import pandas as pd

    from regiekit import formatting

    frame = pd.DataFrame({"tekst": ["=HYPERLINK(\"http://x\")", "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "gewoon", None],
                          "getal": [1, -2, 3, 4, 5, 6, 7], "als_tekst": ["-2", "-0,5", "x", "y", "z", "w", "v"]})
    safe = formatting.spreadsheet_safe(frame)
    assert list(safe["tekst"][:6]) == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'@SUM(A1)", "'-2+3", "'\tcmd", "gewoon"]
    assert safe["tekst"].isna().iloc[6] and list(safe["getal"]) == list(frame["getal"])
    assert list(safe["als_tekst"][:2]) == ["-2", "-0,5"]   # negative numbers written as text stay numbers
    assert frame["tekst"].iloc[0].startswith("=")   # the caller's table is not changed
