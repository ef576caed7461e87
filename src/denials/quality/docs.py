"""Data Docs that open offline: build with GX, then serve vendored CSS/JS/fonts instead of CDN links.

GX 1.24's page templates load Bootstrap, jQuery, bootstrap-table, Font Awesome and Vega from CDNs, and the
navbar logo from an S3 bucket with the data context id in the query string. After each build every page
under the site is rewritten: known CDN URLs point at static/vendor/ (copied from
src/denials/quality/static/vendor, see its README), Subresource-Integrity and crossorigin attributes go
(browsers refuse crossorigin scripts from file:// pages), the logo becomes the local copy GX ships, and any
other external script, stylesheet or image is dropped and reported.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parent / "static" / "vendor"
SITE_NAME = "local_site"

# CDN URL in GX's templates -> file under static/vendor/ of the built site.
VENDORED: dict[str, str] = {
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery-3.7.1/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js-1.12.9/umd/popper.min.js",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap-4.3.1/js/bootstrap.min.js",
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap-4.3.1/css/bootstrap.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table-1.19.1/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table-1.19.1/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.js",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table-1.19.1/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker-1.9.0/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker-1.9.0/js/bootstrap-datepicker.min.js",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "bootstrap-dark-1.1.0/css/bootstrap-prefers-dark.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "fontawesome-free-6.6.0/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega-5.33.1/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite-5.23.0/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed-6.29.0/vega-embed.min.js",
}
GX_ASSETS = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/"
LOCAL_LOGO = "images/logo-long.png"  # under the site's static/, copied there by GX

_TAG = re.compile(r"<(script|link|img)\b[^>]*>(?:\s*</script>)?", re.IGNORECASE | re.DOTALL)
_URL_ATTRIBUTE = re.compile(r"""\b(src|href)\s*=\s*(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
_SRI_ATTRIBUTES = re.compile(r"""\s+(integrity|crossorigin)(\s*=\s*(["']).*?\3)?""",
                             re.IGNORECASE | re.DOTALL)
# A reference into the site's static/ folder. GX writes one `../` too few on validation pages of dotted
# suite names (favicon), so these are recomputed from the page's real depth.
_LOCAL_STATIC = re.compile(r"""(\b(?:src|href)\s*=\s*["'])(?:\.\./)*static/([^"']+)""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*(["']?)(https?://[^)"']*)\1\s*\)""", re.IGNORECASE)


def external_asset_urls(html: str) -> list[str]:
    """http(s) URLs a page would fetch by itself: script src, link href, img src, CSS url(...)."""
    urls = [match.group(2) for match in _CSS_URL.finditer(html)]
    for match in _TAG.finditer(html):
        tag = match.group(0)
        kind = match.group(1).lower()
        for attribute in _URL_ATTRIBUTE.finditer(tag):
            name, url = attribute.group(1).lower(), attribute.group(3).strip()
            if kind == "link" and name != "href":
                continue
            if kind in ("script", "img") and name != "src":
                continue
            if re.match(r"(?i)^(https?:)?//", url):
                urls.append(url)
    return urls


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target, page.parent)).as_posix()


def rewrite_page(html: str, page: Path, static_dir: Path) -> tuple[str, list[str]]:
    """Return the page using local assets, and the external URLs it had to drop (unknown to VENDORED)."""
    dropped: list[str] = []

    def replace_tag(match: re.Match[str]) -> str:
        tag = match.group(0)
        urls = external_asset_urls(tag)
        if not urls:
            return _LOCAL_STATIC.sub(lambda m: m.group(1) + _relative(static_dir / m.group(2), page), tag)
        url = urls[0]
        if url in VENDORED:
            local = _relative(static_dir / "vendor" / VENDORED[url], page)
        elif url.startswith(GX_ASSETS) and match.group(1).lower() == "img":
            local = _relative(static_dir / LOCAL_LOGO, page)
        else:
            dropped.append(url)
            return ""
        tag = tag.replace(url, local)
        return _SRI_ATTRIBUTES.sub("", tag)

    html = _TAG.sub(replace_tag, html)
    # GX inlines its stylesheet into every page: its url(...) images go local too.
    return rewrite_stylesheet(html, page, static_dir), dropped


def rewrite_stylesheet(css: str, stylesheet: Path, static_dir: Path) -> str:
    def replace(match: re.Match[str]) -> str:
        url = match.group(2)
        if url.startswith(GX_ASSETS):
            return f"url('{_relative(static_dir / LOCAL_LOGO, stylesheet)}')"
        return "none"

    return _CSS_URL.sub(replace, css)


def make_offline(site_dir: Path, pages: Iterable[Path] | None = None) -> list[str]:
    """Vendor the assets into `site_dir`/static/vendor and rewrite pages and GX's stylesheets.

    `pages` limits the rewrite to the pages just built (the index is always included); by default every
    page. Idempotent. Returns the external URLs that were dropped because no local copy is known.
    """
    static_dir = site_dir / "static"
    shutil.copytree(VENDOR_DIR, static_dir / "vendor", dirs_exist_ok=True)
    for stylesheet in (static_dir / "styles").glob("*.css"):
        text = stylesheet.read_text(encoding="utf-8")
        rewritten = rewrite_stylesheet(text, stylesheet, static_dir)
        if rewritten != text:
            stylesheet.write_text(rewritten, encoding="utf-8")
    targets = set(pages) if pages is not None else set(site_dir.rglob("*.html"))
    targets.add(site_dir / "index.html")
    dropped: list[str] = []
    for page in sorted(p for p in targets if p.is_file()):
        html = page.read_text(encoding="utf-8")
        rewritten, lost = rewrite_page(html, page, static_dir)
        dropped.extend(lost)
        if rewritten != html:
            page.write_text(rewritten, encoding="utf-8")
    return sorted(set(dropped))


def site_directory(context) -> Path:  # noqa: ANN001 - a GX FileDataContext
    site = context.variables.data_docs_sites[SITE_NAME]
    base = Path(site["store_backend"]["base_directory"])
    return base if base.is_absolute() else Path(context.root_directory) / base


def build_offline_docs(context, resource_identifiers: list | None = None) -> tuple[Path, list[str]]:  # noqa: ANN001
    """Build (incrementally, for the resources given) and make offline; return index.html and dropped URLs."""
    site_dir = site_directory(context)
    before = {p: p.stat().st_mtime_ns for p in site_dir.rglob("*.html")} if site_dir.is_dir() else {}
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=resource_identifiers or None)
    changed = [p for p in site_dir.rglob("*.html") if before.get(p) != p.stat().st_mtime_ns]
    dropped = make_offline(site_dir, changed)
    return site_dir / "index.html", dropped
