"""The HTML pages: the session list, a conversation in one format, all formats side by side,
and the files uploaded into a conversation.

Each page finds the session through the viewer's projects, asks the service for the converted
page (``services.session_messages_converted``, the one conversion path) and hands the result
to a presenter; the templates only draw what the presenters describe. Uploaded files load from
``asset_file``, behind the same login and membership as the page that shows them.
"""

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe
from rest_framework.exceptions import ValidationError

import conversion
from sessions_app import assets, presenters, search, services
from sessions_app.api.errors import error_message
from sessions_app.api.json import OrjsonRenderer
from sessions_app.api.pagination import (
    MESSAGE_PAGE_SIZE_MAX,
    PAGE_SIZE_MAX,
    encode_cursor,
)
from sessions_app.api.responses import envelope
from sessions_app.api.views import message_page_data
from sessions_app.forms import SORTS, EditPreviewForm, MessageSearchForm, SessionListForm
from sessions_app.models import Asset, Message, Project, Session, iso8601
from sessions_app.presenters.blocks import ROLE_STYLES

# Stored messages per conversation page: the API's largest page, so that each page (and its
# download) is exactly one page an SDK would read.
PAGE_SIZE = PAGE_SIZE_MAX
SESSIONS_PER_PAGE = 25
DEFAULT_FORMAT = "openai"
AFTER_PATTERN = re.compile(r"[0-9]{1,18}")

# No inline script or style anywhere on these pages, so a message that smuggles markup past
# escaping still could not run. Images may come from anywhere (conversations link them);
# audio plays only from data: URLs and from this site ('self': the uploaded files, which
# asset_file serves).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: https: http:",
        "media-src 'self' data:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponseBase])


class AuthenticatedRequest(HttpRequest):
    user: User


def content_security_policy(view: ViewFunction) -> ViewFunction:
    @wraps(view)
    def with_policy(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return cast(ViewFunction, with_policy)


def visible_projects(user: User) -> QuerySet[Project]:
    return Project.objects.all() if user.is_staff else Project.objects.filter(members=user)


def visible_sessions(user: User) -> QuerySet[Session]:
    """Tenancy for the pages: a member sees their projects' sessions, staff see all."""
    if user.is_staff:
        return Session.objects.all()
    return Session.objects.filter(project__members=user)


def _session_or_404(
    request: AuthenticatedRequest, session_id: uuid.UUID, *, with_tokens: bool = False
) -> Session:
    """The session, if the user may see it. ``with_tokens`` adds ``total_tokens`` (the sum of
    its stored counts) in the same query."""
    sessions = visible_sessions(request.user).select_related("project")
    if with_tokens:
        stored = Message.objects.filter(session=OuterRef("pk")).order_by().values("session")
        total = stored.annotate(total=Sum("tokens")).values("total")
        sessions = sessions.annotate(
            total_tokens=Coalesce(Subquery(total, output_field=IntegerField()), 0)
        )
    # Another project's session is a 404, as in the API: its existence is not revealed.
    return get_object_or_404(sessions, pk=session_id)


def _target_format(request: HttpRequest) -> str:
    target = request.GET.get("format", DEFAULT_FORMAT)
    if target not in conversion.FORMATS:
        raise BadRequest(f"unknown format {target!r}")
    return target


def _after_seq(request: HttpRequest) -> int:
    """The page's position: it starts after this seq (0 for the first page)."""
    value = request.GET.get("after", "0")
    # ASCII digits only (str.isdigit() takes "²"), and few enough for a 64-bit seq.
    if not AFTER_PATTERN.fullmatch(value):
        raise BadRequest("after must be a non-negative integer of at most 18 digits")
    return int(value)


def _positions(
    session: Session, pages: Iterable[services.ConvertedMessages]
) -> dict[str, presenters.StoredPosition]:
    """Seq and stored format of every message the pages' items come from (one query)."""
    ids = {message_id for page in pages for sources in page.sources for message_id in sources}
    rows = Message.objects.filter(session=session, pk__in=ids).values_list(
        "pk", "seq", "format", "created_at", "tokens"
    )
    return {
        str(pk): presenters.StoredPosition(
            message_id=str(pk), seq=seq, format=format, created_at=created_at, tokens=tokens
        )
        for pk, seq, format, created_at, tokens in rows
    }


def _session_facts(session: Session) -> dict[str, Any]:
    """What the head of a session's pages tells besides its row: its tokens (read
    ``with_tokens``), its configs."""
    return {
        "total_tokens": session.total_tokens,  # type: ignore[attr-defined]
        "configs_json": presenters.pretty_json(session.configs) if session.configs else "",
    }


def _url(name: str, session: Session, **query: str | int | None) -> str:
    path = reverse(name, args=[session.pk])
    # Defaults stay out of the link (after=0 is the first page), so each page has one URL.
    params = {key: value for key, value in query.items() if value not in (None, 0, "")}
    return f"{path}?{urlencode(params)}" if params else path


@dataclass(frozen=True, slots=True)
class Pager:
    """Links between pages of stored messages: keyset positions (``after`` a seq), no offsets."""

    first_seq: int
    last_seq: int
    total: int
    first: str | None
    previous: str | None
    next: str | None
    last: str | None


def _pager(
    name: str, session: Session, after_seq: int, page: services.ConvertedMessages, **query: str
) -> Pager:
    # seq is gapless from 1 (message_store numbers under a lock), so positions are arithmetic.
    total = session.last_seq
    last_shown = page.next_cursor_seq if page.next_cursor_seq is not None else total
    last_page_after = max(0, (total - 1) // PAGE_SIZE * PAGE_SIZE)
    return Pager(
        first_seq=after_seq + 1,
        last_seq=last_shown,
        total=total,
        first=_url(name, session, **query) if after_seq > 0 else None,
        previous=(
            _url(name, session, after=max(0, after_seq - PAGE_SIZE), **query)
            if after_seq > 0
            else None
        ),
        next=_url(name, session, after=page.next_cursor_seq, **query) if page.has_more else None,
        last=(
            _url(name, session, after=last_page_after, **query)
            if page.has_more and last_page_after > after_seq
            else None
        ),
    )


def _download_url(session: Session, target_format: str, after_seq: int) -> str:
    """The whole conversation when one API answer holds it, else the page on screen: either
    way a query the API answers, so the file is that answer."""
    if session.last_seq <= MESSAGE_PAGE_SIZE_MAX:
        return _url(
            "pages:messages-json", session, format=target_format, limit=MESSAGE_PAGE_SIZE_MAX
        )
    return _url(
        "pages:messages-json",
        session,
        format=target_format,
        limit=PAGE_SIZE,
        cursor=encode_cursor(after_seq) if after_seq > 0 else None,
    )


def _asset_links(request: HttpRequest, session: Session) -> assets.LinkMaker:
    """Links for the pages to an uploaded file: ``asset_file`` of this session, which checks
    the login on every load, so a link neither expires on an open page nor works for anyone
    else. Absolute, as every URL a presenter lets through is."""

    def make(asset: Asset, filename: str | None) -> assets.Link:
        path = reverse("pages:asset-file", args=[session.pk, asset.sha256])
        # It lasts as long as the login; the SDK's expire_at has no meaning on a page.
        return assets.Link(url=request.build_absolute_uri(path), expire_at="")

    return make


def _first_filename(session: Session, asset: Asset) -> str | None:
    """The name the file has in the session's first message that holds it; None when no
    message of the session holds it."""
    message = (
        Message.objects.filter(session=session, asset_links__asset=asset)
        .order_by("seq")
        .only("canonical")
        .first()
    )
    if message is None:
        return None
    for _, part in assets.asset_parts(message.canonical):
        filename = part.get("filename")
        if part["asset"].get("sha256") == asset.sha256 and isinstance(filename, str) and filename:
            return filename
    return asset.key.rsplit("/", 1)[-1]


# Pages ------------------------------------------------------------------------------------


@content_security_policy
@require_safe
@login_required
def session_list(request: AuthenticatedRequest) -> HttpResponse:
    projects = list(visible_projects(request.user).order_by("name"))
    form = SessionListForm(request.GET, projects=projects)
    sessions = visible_sessions(request.user).select_related("project")
    if form.is_valid():
        sessions = form.filter(sessions)
        status = 200
    else:
        # Nothing filtered by half-understood input: the form says what to mend.
        sessions = sessions.none()
        status = 400
    page = Paginator(sessions, SESSIONS_PER_PAGE).get_page(request.GET.get("page"))
    kept_query = urlencode(
        [(key, value) for key, value in request.GET.items() if key != "page" and value]
    )
    filtered = any(value for key, value in request.GET.items() if key not in ("page", "sort"))
    return render(
        request,
        "sessions_app/session_list.html",
        {
            "page": page,
            "form": form,
            "projects": projects,
            "filtered": filtered,
            "kept_query": kept_query,
            "sorts": SORTS,
            "sort_label": SORTS[form.cleaned_data.get("sort") or "newest"][0]
            if status == 200
            else SORTS["newest"][0],
        },
        status=status,
    )


@content_security_policy
@require_safe
@login_required
def conversation(request: AuthenticatedRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _session_or_404(request, session_id, with_tokens=True)
    target_format = _target_format(request)
    after_seq = _after_seq(request)
    page = services.session_messages_converted(
        session=session,
        target_format=target_format,
        limit=PAGE_SIZE,
        cursor_seq=after_seq,
        link=_asset_links(request, session),
        inline_max_bytes=presenters.INLINE_UPLOAD_MAX_BYTES,
    )
    presented = presenters.present_page(target_format, page, _positions(session, [page]))
    tabs = [
        {
            "format": name,
            "label": presenters.FORMAT_LABELS[name],
            "url": _url("pages:conversation", session, format=name, after=after_seq),
            "current": name == target_format,
        }
        for name in conversion.FORMATS
    ]
    return render(
        request,
        "sessions_app/conversation.html",
        {
            "session": session,
            **_session_facts(session),
            "presented": presented,
            "tabs": tabs,
            "format_label": presenters.FORMAT_LABELS[target_format],
            "pager": _pager("pages:conversation", session, after_seq, page, format=target_format),
            "side_by_side_url": _url("pages:side-by-side", session, after=after_seq),
            "edit_preview_url": _url("pages:edit-preview", session, format=target_format),
            "download_url": _download_url(session, target_format, after_seq),
        },
    )


@content_security_policy
@require_safe
@login_required
def edit_preview(request: AuthenticatedRequest, session_id: uuid.UUID) -> HttpResponse:
    """What a model would receive with these edit strategies, in this format: the newest page
    of the session read as the API reads it with ``edit_strategies``, and the tokens saved."""
    session = _session_or_404(request, session_id, with_tokens=True)
    form = EditPreviewForm(request.GET or {"format": DEFAULT_FORMAT})
    presented = page = None
    error = ""
    if form.is_valid():
        try:
            strategies = form.strategies()
        except conversion.InvalidEditStrategy as invalid:
            error = str(invalid)
        else:
            target_format = form.cleaned_data["format"]
            page = services.session_messages_converted(
                session=session,
                target_format=target_format,
                limit=PAGE_SIZE,
                newest_first=True,
                strategies=strategies,
                link=_asset_links(request, session),
                inline_max_bytes=presenters.INLINE_UPLOAD_MAX_BYTES,
            )
            presented = presenters.present_page(target_format, page, _positions(session, [page]))
    return render(
        request,
        "sessions_app/edit_preview.html",
        {
            "session": session,
            **_session_facts(session),
            "form": form,
            "error": error,
            "page": page,
            "presented": presented,
            "formats": [(name, presenters.FORMAT_LABELS[name]) for name in conversion.FORMATS],
            "conversation_url": _url("pages:conversation", session),
        },
        status=200 if page is not None else 400,
    )


@content_security_policy
@require_safe
@login_required
def side_by_side(request: AuthenticatedRequest, session_id: uuid.UUID) -> HttpResponse:
    session = _session_or_404(request, session_id, with_tokens=True)
    after_seq = _after_seq(request)
    link = _asset_links(request, session)
    pages = {
        name: services.session_messages_converted(
            session=session,
            target_format=name,
            limit=PAGE_SIZE,
            cursor_seq=after_seq,
            link=link,
            inline_max_bytes=presenters.INLINE_UPLOAD_MAX_BYTES,
        )
        for name in conversion.FORMATS
    }
    table = presenters.present_side_by_side(pages, _positions(session, pages.values()))
    columns = [
        {
            "format": name,
            "label": presenters.FORMAT_LABELS[name],
            "download_url": _download_url(session, name, after_seq),
            "conversation_url": _url("pages:conversation", session, format=name, after=after_seq),
        }
        for name in conversion.FORMATS
    ]
    return render(
        request,
        "sessions_app/side_by_side.html",
        {
            "session": session,
            **_session_facts(session),
            "table": table,
            "columns": columns,
            # Any format's page has the same window; its pager serves all columns.
            "pager": _pager("pages:side-by-side", session, after_seq, pages[DEFAULT_FORMAT]),
        },
    )


@require_safe
@login_required
def messages_json(request: AuthenticatedRequest, session_id: uuid.UUID) -> HttpResponse:
    """A page of the conversation as a file: the bytes GET /api/v1/session/{id}/messages
    answers for the same query (format, limit, cursor, time_desc)."""
    session = _session_or_404(request, session_id)
    try:
        data = message_page_data(session, request.GET, assets.request_link_maker(request))
    except (ValidationError, conversion.UnknownFormat, conversion.InvalidEditStrategy) as error:
        # The API's own message ("limit: Ensure this value is ..."), as plain text.
        return HttpResponseBadRequest(error_message(error), content_type="text/plain")
    body = OrjsonRenderer().render(envelope(data).data)
    return HttpResponse(
        body,
        content_type="application/json",
        headers={
            "Content-Disposition": (
                f'attachment; filename="session-{session.pk}-{_target_format(request)}.json"'
            )
        },
    )


@require_safe
@login_required
def asset_file(
    request: AuthenticatedRequest, session_id: uuid.UUID, sha256: str
) -> HttpResponseBase:
    """A file uploaded into this session, for the viewer's <img>, <audio> and links.

    Only a file that one of the session's messages holds: the same bytes elsewhere in the
    project are reached through their own session, and another project's are a 404.
    """
    session = _session_or_404(request, session_id)
    asset = get_object_or_404(Asset, project_id=session.project_id, sha256=sha256)
    filename = _first_filename(session, asset)
    if filename is None:
        raise Http404("no message of this session holds this file")
    response = assets.file_response(request, asset, filename)
    if response is None:
        raise Http404("the file is no longer stored")
    # The key is the content: the bytes at this URL never change. Private: it takes a login.
    response["Cache-Control"] = "private, max-age=3600"
    return response


# Search -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShownHit:
    hit: search.SearchHit
    project_name: str
    style: str
    # The message on its conversation page, in the format it was stored in: the page starts
    # with it (after its seq - 1), and its bubble is the anchor.
    url: str
    session_url: str
    highlight: SafeString


def _shown_hits(hits: Iterable[search.SearchHit]) -> list[ShownHit]:
    hits = list(hits)
    names = dict(
        Project.objects.filter(pk__in={hit.project_id for hit in hits}).values_list("pk", "name")
    )
    shown = []
    for hit in hits:
        session_url = reverse("pages:conversation", args=[hit.session_id])
        query = (
            {"format": hit.format, "after": hit.seq - 1} if hit.seq > 1 else {"format": hit.format}
        )
        shown.append(
            ShownHit(
                hit=hit,
                project_name=names.get(uuid.UUID(hit.project_id), ""),
                style=ROLE_STYLES.get(hit.role, "other"),
                url=f"{session_url}?{urlencode(query)}#m{hit.seq}",
                session_url=session_url,
                # Escaped whole by search.highlight_html; only its own <mark>s are markup.
                highlight=mark_safe(hit.highlight),
            )
        )
    return shown


@content_security_policy
@require_safe
@login_required
def message_search(request: AuthenticatedRequest) -> HttpResponse:
    """Full-text search in the messages of the viewer's projects (staff: all projects)."""
    form = MessageSearchForm(request.GET if "q" in request.GET else None)
    context: dict[str, Any] = {"form": form, "hits": [], "next_url": None}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        query = form.cleaned_data["q"]
        project_ids = (
            None
            if request.user.is_staff
            else list(visible_projects(request.user).values_list("pk", flat=True))
        )
        page = search.message_search(
            query=query, project_ids=project_ids, after=form.cleaned_data["cursor"]
        )
        context["hits"] = _shown_hits(page.hits)
        if page.next_after is not None:
            moment, message_id = page.next_after
            cursor = encode_cursor(iso8601(moment), str(message_id))
            context["next_url"] = f"?{urlencode({'q': query, 'cursor': cursor})}"
        context["first_url"] = (
            f"?{urlencode({'q': query})}" if form.cleaned_data["cursor"] else None
        )
    return render(request, "sessions_app/search.html", context, status=status)
