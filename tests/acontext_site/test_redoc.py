"""The Redoc page works offline: nothing it loads comes from off this server."""

import gzip
import re
from pathlib import Path

from django.contrib.staticfiles import finders
from django.test import Client

from acontext_site.redoc import CDN_LOGO, SIDECAR_BUNDLE


def test_the_redoc_page_loads_only_this_servers_files():
    response = Client().get("/api/redoc/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'(?:src|href)="([^"]*)"', html) == [
        "data:,",  # the empty icon
        "/api/redoc/bundles/redoc.standalone.js",
    ]
    assert re.findall(r"https?://", html) == []


def test_the_bundle_is_the_sidecars_without_its_cdn_logo():
    response = Client().get("/api/redoc/bundles/redoc.standalone.js")

    sidecar = Path(str(finders.find(SIDECAR_BUNDLE))).read_bytes()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert CDN_LOGO in sidecar
    assert response.content == sidecar.replace(CDN_LOGO, b"data:,").replace(
        b"sourceMappingURL=redoc.standalone.js.map",
        b"sourceMappingURL=/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js.map",
    )
    # No element of Redoc's takes its source from another site (links to redocly.com stay).
    assert re.findall(rb'src:"(https?:[^"]*)"', response.content) == []


def test_the_bundle_is_compressed_for_browsers_that_take_gzip():
    response = Client().get(
        "/api/redoc/bundles/redoc.standalone.js", headers={"accept-encoding": "gzip"}
    )

    assert response["Content-Encoding"] == "gzip"
    assert len(response.content) < 500_000
    assert CDN_LOGO not in gzip.decompress(response.content)
