"""Redoc's bundle without its one request to the internet.

drf-spectacular-sidecar ships Redoc locally, but the bundle hard-codes the logo of its "API
docs by Redocly" footer to a CDN, with no option to turn it off: every visit to /api/redoc/
asked cdn.redoc.ly for it (and, offline, failed). This serves the same bundle with that URL
replaced by an empty ``data:`` URL, which fails without a request; Redoc then hides the logo,
as it does whenever the logo fails to load. SPECTACULAR_SETTINGS["REDOC_DIST"] points here.
"""

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

SIDECAR_BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
SOURCE_MAP = b"sourceMappingURL=redoc.standalone.js.map"


@functools.cache
def offline_bundle() -> bytes:
    found = finders.find(SIDECAR_BUNDLE)
    if not isinstance(found, str):
        raise LookupError(f"{SIDECAR_BUNDLE} is not among the static files")
    bundle = Path(found).read_bytes()
    # The source map stays where the sidecar put it (a relative URL would point here).
    source_map = static(SIDECAR_BUNDLE + ".map").encode()
    return bundle.replace(CDN_LOGO, b"data:,").replace(
        SOURCE_MAP, b"sourceMappingURL=" + source_map
    )


@require_safe
@gzip_page
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(offline_bundle(), content_type="text/javascript; charset=utf-8")
    patch_cache_control(response, public=True, max_age=24 * 60 * 60)
    return response
