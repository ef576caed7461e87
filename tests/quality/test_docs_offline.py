"""The Data Docs open offline: no page or stylesheet fetches anything over http(s), and every local asset
a page refers to exists."""

from __future__ import annotations

import re
from pathlib import Path

from denials.quality.docs import VENDORED, external_asset_urls, rewrite_page
from tests.quality.conftest import Run

LOCAL_ASSET = re.compile(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"'#]+)["']""",
                         re.IGNORECASE)


def _site(run: Run) -> Path:
    assert run.report.docs_index is not None
    return run.report.docs_index.parent


def test_pages_and_styles_fetch_nothing_remote(clean_run: Run, unbalanced_run: Run) -> None:
    for run in (clean_run, unbalanced_run):
        site = _site(run)
        pages = list(site.rglob("*.html"))
        assert len(pages) > 10
        for path in [*pages, *site.glob("static/styles/*.css")]:
            assert external_asset_urls(path.read_text(encoding="utf-8")) == [], path
        assert run.report.docs_dropped_urls == []  # every CDN link GX used has a vendored copy


def test_local_assets_exist(clean_run: Run) -> None:
    site = _site(clean_run)
    checked = 0
    for page in site.rglob("*.html"):
        for reference in LOCAL_ASSET.findall(page.read_text(encoding="utf-8")):
            if reference.startswith(("data:", "mailto:")):
                continue
            target = (page.parent / reference.split("?")[0]).resolve()
            if reference.endswith(".html"):
                continue  # navigation between pages, not an asset
            assert target.is_file(), f"{page}: {reference}"
            checked += 1
    assert checked > 100
    for local in VENDORED.values():
        assert (site / "static" / "vendor" / local).is_file(), local
    fonts = site / "static" / "vendor" / "fontawesome-free-6.6.0" / "webfonts"
    assert (fonts / "fa-solid-900.woff2").is_file()


def test_rewrite_maps_known_cdns_and_drops_unknown_ones(tmp_path: Path) -> None:
    static = tmp_path / "static"
    page = tmp_path / "validations" / "suite" / "page.html"
    html = (
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>\n'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>\n'
        '<link rel="stylesheet" href="https://cdn.example.org/new.css"/>\n'
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?x=1">\n'
        "<style>.x { background: "
        "url('https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/a.png') }"
        "</style>\n<a href=\"https://greatexpectations.io\">GX</a>"
    )
    rewritten, dropped = rewrite_page(html, page, static)
    assert dropped == ["https://cdn.example.org/new.css"]
    assert external_asset_urls(rewritten) == []
    assert '<script src="../../static/vendor/jquery-3.7.1/jquery.min.js"></script>' in rewritten
    assert "integrity" not in rewritten and "crossorigin" not in rewritten
    assert 'src="../../static/images/logo-long.png"' in rewritten
    assert "url('../../static/images/logo-long.png')" in rewritten
    assert '<a href="https://greatexpectations.io">' in rewritten  # a link to click, not a fetch
