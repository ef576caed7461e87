"""The app and the static report in a real browser (Debian's chromium through playwright)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from denials.insights.labels import words
from tests.app.browser import ARTIFACTS, browser_page, running_app

pytestmark = pytest.mark.slow


def _tile(page, label: str) -> str:  # noqa: ANN001 - a playwright Page
    tile = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _click_first_bar(chart, timeout: float = 60) -> str:  # noqa: ANN001 - a playwright Locator
    """Clicks the chart's first bar and returns its label. The payer filter makes Streamlit draw the
    chart again, and a bar found in the old drawing can lose its box before the click lands, so the
    bar is looked up again, label and all, until a click goes through."""
    from playwright.sync_api import Error as PlaywrightError

    deadline = time.monotonic() + timeout
    while True:
        bar = chart.locator("[aria-roledescription='bar']").first
        try:
            bar.wait_for(state="visible", timeout=10_000)
            label = bar.get_attribute("aria-label", timeout=5_000) or ""
            bar.click(force=True, timeout=5_000)
            return label
        except PlaywrightError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_app_in_chromium_filters_by_payer_and_shows_the_marts_number(published_warehouse: Path,
                                                                     marts) -> None:
    payer_id, payer_name, denied, lines = marts.execute("""
        select payer_id, max(payer_name), sum(initially_denied_lines), sum(adjudicated_lines)
        from marts.mart_denial_kpis_monthly where payer_id is not null
        group by payer_id order by sum(adjudicated_lines) limit 1""").fetchone()
    all_denied, all_lines = marts.execute("""select sum(initially_denied_lines), sum(adjudicated_lines)
                                            from marts.mart_denial_kpis_monthly""").fetchone()
    expected, everything = f"{100 * denied / lines:.1f}%", f"{100 * all_denied / all_lines:.1f}%"

    with running_app(published_warehouse) as url, browser_page() as page:
        assert urlparse(url).hostname == "127.0.0.1"
        page.goto(url)
        tiles = page.locator('[data-testid="stMetric"]')
        tiles.filter(has_text="Initial denial rate").wait_for(timeout=90_000)
        assert _tile(page, "Initial denial rate") == everything

        payer_filter = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Payer").first
        payer_filter.locator("input").click()
        page.get_by_role("option", name=payer_name, exact=True).click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            """([label, value]) => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.includes(label) && m.innerText.includes(value))""",
            arg=["Initial denial rate", expected], timeout=60_000)
        assert _tile(page, "Initial denial rate") == expected
        assert _tile(page, "Lines adjudicated") == f"{lines:,}"
        page.locator(".vega-embed svg, .vega-embed canvas").first.wait_for(timeout=60_000)

        # Drill-down: a click on a category bar lists the claim lines behind it.
        category_chart = page.locator('[data-testid="stVegaLiteChart"]').nth(1)
        labels = {words(code): code for (code,) in marts.execute(
            "select distinct denial_category from marts.fct_denials").fetchall()}
        label = _click_first_bar(category_chart)
        clicked = re.search(r"category: ([^;]+)", label)
        assert clicked and clicked.group(1) in labels, label
        behind = marts.execute(
            "select count(*) from marts.fct_denials where payer_id = ? and denial_category = ?",
            [payer_id, labels[clicked.group(1)]]).fetchone()[0]
        caption = page.get_by_text(re.compile(r"denied lines behind “"))
        caption.wait_for(timeout=60_000)
        assert caption.inner_text().startswith(f"{behind:,} denied lines behind “{clicked.group(1)}”")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "app-overview-payer.png"), full_page=True)
    assert (ARTIFACTS / "app-overview-payer.png").stat().st_size > 10_000


def test_static_report_renders_offline_with_axes(published_warehouse: Path, marts, tmp_path: Path) -> None:
    from denials.dashboard import write_report

    as_of = marts.execute("select max(as_of_date) from marts.mart_appeal_worklist").fetchone()[0]
    report = write_report(published_warehouse, tmp_path / "report.html", today=as_of)
    requests: list[str] = []
    with browser_page(width=900) as page:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(report.as_uri())
        page.wait_for_function("document.querySelectorAll('.chart svg').length === "
                               "document.querySelectorAll('.chart').length", timeout=60_000)
        charts = page.locator(".chart")
        assert charts.count() >= 8
        for index in range(charts.count()):
            chart = charts.nth(index)
            title = chart.get_attribute("data-title")
            assert chart.locator(".role-axis").count() >= 1, f"chart {title!r} has no axis"
            axis_titles = chart.locator(".role-axis-title").all_text_contents()  # SVG: no innerText
            assert any(t.strip() for t in axis_titles), f"chart {title!r} has no axis title"
        assert "As of" in page.locator("#as-of").inner_text()
        # Responsive: at 900 px nothing makes the page scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report-900px.png"), full_page=True)
    remote = [url for url in requests if not url.startswith(("file:", "data:", "blob:", "about:"))]
    assert not remote, f"the report made network requests: {remote}"
    assert [url for url in requests if url.startswith("file:")] == [report.as_uri()]
    assert re.search(r"<script>", report.read_text(encoding="utf-8"))
