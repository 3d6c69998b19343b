"""The factsheet as a reader sees it: rendered by headless Chromium (Debian package ``chromium``,
installed by .ci/run), not blank, every image loaded, the Dutch text and the numbers there."""

import os

import pandas as pd
import pytest
from PIL import Image, ImageStat

from regiekit import formatting
from regiekit.indicators.definitions import load_catalogue
from regiekit.run.runner import chromium


@pytest.fixture(scope="module")
def browser():
    path = chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs the Debian package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_factsheet_displays_in_chromium(browser, assen, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((assen / "factsheet_GM0106_2024.html").as_uri())
    page.wait_for_load_state("load")
    images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
    assert len(images) == 3 and all(done and width > 300 and height > 200 for done, width, height in images)
    alts = page.evaluate("Array.from(document.images).map(i => i.alt)")
    assert alts[0].startswith("Lijngrafieken van de kernindicatoren") and alts[1].startswith("Trechterdiagram")
    assert alts[2].startswith("Kaart: jongeren met jeugdhulp per gemeente in jeugdregio Drenthe")  # offline too
    text = page.inner_text("body")
    for expected in ("Factsheet jeugdhulp gemeente Assen, 2024", "Kernindicatoren 2024", "Wat zegt deze factsheet ons?",
                     "Onthullingscontrole.", "synthetische demodata", "t.o.v. rest van Nederland"):
        assert expected in text
    csv = pd.read_csv(assen / "factsheet_GM0106_2024.csv")
    shown = csv[(csv["part"] == "tabel") & (csv["region_code"] == "GM0106") & csv["value"].notna()]
    catalogue = load_catalogue()
    for row in shown.itertuples():
        assert formatting.value(row.value, row.unit, catalogue[row.indicator].decimals) in text
    assert "Traceback" not in text and "Error" not in text
    # the table fits the page: no sideways scrolling for the reader
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot = tmp_path / "factsheet.png"
    page.screenshot(path=str(shot), full_page=True)
    grey = Image.open(shot).convert("L")
    assert grey.height > 1500  # a whole report, not an empty page
    assert ImageStat.Stat(grey).stddev[0] > 20  # text and charts, not a blank page
    page.close()


def test_run_index_links_every_output(browser, assen):
    page = browser.new_page()
    page.goto((assen / "index.html").as_uri())
    links = page.evaluate("Array.from(document.links).map(a => a.getAttribute('href'))")
    assert sorted(links) == [f"factsheet_GM0106_2024.{ext}" for ext in ("csv", "html", "ipynb", "pdf", "xlsx")]
    assert all((assen / link).exists() for link in links)
    assert "gemeente Assen" in page.inner_text("body")
    page.close()


def test_the_printed_factsheet_keeps_every_column_on_the_page_and_no_scrollbar(browser, assen, tmp_path):
    import re
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (apt-get install poppler-utils; .ci/run installs it)")
    pdf = assen / "factsheet_GM0106_2024.pdf"
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = boxes.split("<page ")[1:]
    assert pages
    for page in pages:
        width = float(re.search(r'width="([\d.]+)"', page).group(1))
        right = [float(x) for x in re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"', page)]
        assert max(right, default=0) <= width - 20  # nothing runs into or past the right margin (a chart page has
        # no words)
    first = re.findall(r">([^<]+)</word>", pages[0])
    assert {"Indicator", "Nederland", "Ontwikkeling"} <= set(first)  # the table's last column is printed
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", str(pdf), str(tmp_path / "p")], check=True)
    [image] = tmp_path.glob("p*.png")
    grey = Image.open(image).convert("L")
    margin = grey.crop((grey.width - 18, 0, grey.width, grey.height))  # the right page margin (about 9 mm)
    assert ImageStat.Stat(margin).extrema[0][0] > 235  # white: no scrollbar, no cut-off table edge
