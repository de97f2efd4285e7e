"""Uploaded files answer Range requests (how audio and video players seek) and revalidate by
their content address: through a signed link over real HTTP, and on the pages' file URL."""

from typing import Any

import httpx
import pytest
from django.test import Client

from sessions_app import assets
from sessions_app.assets import RangeNotSatisfiable, byte_range
from sessions_app.models import Asset, Session
from tests.browser.mixed_conversation import member
from tests.sessions_app.asset_samples import PDF, asset_of, store_file, wav

# 400,044 bytes: a range of it spans several of ByteWindow's 64 KiB blocks.
LONG_WAV = wav(samples=200_000)


@pytest.mark.parametrize(
    ("header", "size", "expected"),
    [
        ("bytes=0-0", 100, (0, 0)),
        ("bytes=0-99", 100, (0, 99)),
        ("bytes=10-", 100, (10, 99)),
        ("bytes=10-500", 100, (10, 99)),  # past the end: cut at the last byte
        ("bytes=-10", 100, (90, 99)),  # the last ten
        ("bytes=-500", 100, (0, 99)),  # a suffix longer than the file: all of it
        ("bytes=99-99", 100, (99, 99)),
        (" bytes=5-6 ", 100, (5, 6)),
        # Ignored, so the whole file is given (200): none, malformed, another unit, several.
        ("", 100, None),
        ("bytes=", 100, None),
        ("bytes=-", 100, None),
        ("bytes=9-3", 100, None),
        ("bytes=a-b", 100, None),
        ("bytes=+1-2", 100, None),
        ("bytes=\u0663-", 100, None),  # a digit, but not an ASCII one
        ("bytes=0-1,5-6", 100, None),
        ("items=0-1", 100, None),
        ("Bytes=0-1", 100, None),
        ("bytes=" + "9" * 20 + "-", 100, None),  # too long to be a size, never parsed
        ("bytes=0-" + "9" * 5000, 100, None),
    ],
)
def test_a_range_header_names_the_bytes_or_is_ignored(
    header: str, size: int, expected: tuple[int, int] | None
) -> None:
    assert byte_range(header, size) == expected


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=100-", 100), ("bytes=100-200", 100), ("bytes=-0", 100), ("bytes=0-", 0)],
)
def test_a_range_past_the_end_is_not_satisfiable(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, size)


def store(session: Session, name: str, data: bytes) -> Asset:
    store_file(session, name, data)
    return asset_of(data)


def link(live_server: Any, asset: Asset, filename: str) -> str:
    path = assets.link_maker(assets.material_path)(asset, filename).url
    return f"{live_server.url}{path}"


def answer(response: httpx.Response) -> tuple[int, bytes, dict[str, str | None]]:
    names = ("content-type", "content-length", "content-range", "accept-ranges", "etag")
    return (
        response.status_code,
        response.content,
        {name: response.headers.get(name) for name in names},
    )


@pytest.mark.django_db(transaction=True)
def test_a_link_gives_the_bytes_a_player_asks_for(live_server: Any, session: Session) -> None:
    asset = store(session, "long.wav", LONG_WAV)
    url = link(live_server, asset, "long.wav")
    etag = f'"{asset.sha256}"'
    size = len(LONG_WAV)

    def get(**headers: str) -> tuple[int, bytes, dict[str, str | None]]:
        return answer(httpx.get(url, headers=headers))

    def partial(first: int, last: int) -> tuple[int, bytes, dict[str, str | None]]:
        return (
            206,
            LONG_WAV[first : last + 1],
            {
                "content-type": "audio/wav",
                "content-length": str(last - first + 1),
                "content-range": f"bytes {first}-{last}/{size}",
                "accept-ranges": "bytes",
                "etag": etag,
            },
        )

    whole = (
        200,
        LONG_WAV,
        {
            "content-type": "audio/wav",
            "content-length": str(size),
            "content-range": None,
            "accept-ranges": "bytes",
            "etag": etag,
        },
    )
    # What Chromium asks first for a recording, then where the listener seeks to.
    assert get(Range="bytes=0-") == partial(0, size - 1)
    assert get(Range="bytes=60000-140000") == partial(60000, 140000)
    assert get(Range="bytes=-44") == partial(size - 44, size - 1)
    assert get(Range=f"bytes={size - 10}-{size + 10}") == partial(size - 10, size - 1)
    assert get() == whole
    assert get(Range="bytes=0-1,5-6") == whole
    assert get(Range="bytes=oops") == whole
    # If-Range: the part only while the file is the one the client holds.
    assert get(Range="bytes=0-3", **{"If-Range": etag}) == partial(0, 3)
    assert get(Range="bytes=0-3", **{"If-Range": '"another"'}) == whole
    assert get(Range="bytes=0-3", **{"If-Range": "Wed, 21 Oct 2015 07:28:00 GMT"}) == whole

    assert get(Range=f"bytes={size}-") == (
        416,
        b"",
        {
            "content-type": "text/html; charset=utf-8",
            "content-length": "0",
            "content-range": f"bytes */{size}",
            "accept-ranges": "bytes",
            "etag": etag,
        },
    )


@pytest.mark.django_db(transaction=True)
def test_a_link_revalidates_by_the_content_address(live_server: Any, session: Session) -> None:
    asset = store(session, "report.pdf", PDF)
    url = link(live_server, asset, "report.pdf")
    etag = f'"{asset.sha256}"'

    first = httpx.get(url)
    again = httpx.get(url, headers={"If-None-Match": first.headers["etag"]})
    changed = httpx.get(url, headers={"If-None-Match": '"an-older-file"'})

    assert (first.status_code, first.headers["etag"], first.content) == (200, etag, PDF)
    assert (again.status_code, again.headers["etag"], again.content) == (304, etag, b"")
    assert (changed.status_code, changed.content) == (200, PDF)
    # A part of the file is still a download under its name.
    part = httpx.get(url, headers={"Range": "bytes=0-7"})
    assert (part.status_code, part.content, part.headers["content-disposition"]) == (
        206,
        b"%PDF-1.4",
        'attachment; filename="report.pdf"',
    )


@pytest.mark.django_db
def test_the_pages_file_url_answers_ranges_too(session: Session) -> None:
    asset = store(session, "long.wav", LONG_WAV)
    client = Client()
    client.force_login(member(session.project, "alice"))
    url = f"/sessions/{session.pk}/assets/{asset.sha256}"

    response = client.get(url, headers={"Range": "bytes=100-199"})

    assert response.status_code == 206
    assert b"".join(response.streaming_content) == LONG_WAV[100:200]  # type: ignore[attr-defined]
    assert (
        response["Content-Range"],
        response["Content-Disposition"],
        response["Cache-Control"],
    ) == (f"bytes 100-199/{len(LONG_WAV)}", 'inline; filename="long.wav"', "private, max-age=3600")
    assert Client().get(url, headers={"Range": "bytes=100-199"}).status_code == 302  # no login
