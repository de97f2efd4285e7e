"""The admin: browse projects, keys, sessions and messages; issue and revoke keys; delete sessions.

Every write the admin offers goes through services.py, as the API's do: keys are issued by
``api_key_issue`` (the secret is shown once, on the page that answers the form, and never
stored), revoked by ``api_key_revoke``, sessions deleted by ``session_delete``. Messages are
only read here: storing one needs validation and seq allocation, which the API does. Projects
are plain rows (a name and members) with no service, so the admin saves them as Django does;
deleting one is not offered, since no service removes a tenant and everything in it. Uploaded
files (assets) are only listed: a file goes when the last session holding it is deleted, and
deleting one still in use would break the messages that hold it.
"""

import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, Substr
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from . import assets, services
from .models import ApiKey, Asset, Message, MessageAsset, Project, Session

admin.site.site_header = "Acontext message store"
admin.site.site_title = "Acontext admin"
admin.site.index_title = "Projects, keys, sessions and messages"

# A session page shows this many of its newest messages inline; the rest are one link away
# (a 10,000-message session would otherwise render 10,000 rows).
INLINE_MESSAGES = 50
PREVIEW_CHARS = 80
# A stored blob can hold megabytes of base64 media; the page shows its beginning.
JSON_DISPLAY_MAX_CHARS = 100_000
# A session page lists this many of its uploaded files (the file list has them all), and reads
# their names from at most this many of the messages holding them.
FILES_SHOWN = 100
FILE_NAME_MESSAGES = 500

CountedModel = type[Session] | type[ApiKey] | type[Message] | type[MessageAsset]


def _count_of(model: CountedModel, **link: Any) -> Subquery:
    """The number of ``model`` rows pointing at the outer row, as a correlated subquery.

    A subquery per shown row, rather than JOIN + GROUP BY: the join would aggregate every
    message of every session before the changelist could take its page of 100.
    """
    rows = model.objects.filter(**link).order_by().values(*link).annotate(count=Count("*"))
    return Subquery(rows.values("count"), output_field=IntegerField())


def _annotation(obj: object, name: str) -> Any:
    # Values annotated in get_queryset, which the model's type does not declare.
    return getattr(obj, name)


def _pretty_json(value: Any) -> SafeString:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    if len(text) > JSON_DISPLAY_MAX_CHARS:
        hidden = len(text) - JSON_DISPLAY_MAX_CHARS
        text = f"{text[:JSON_DISPLAY_MAX_CHARS]}\n… ({hidden:,} more characters)"
    # format_html escapes the text: a message's "<script>" shows as text.
    return format_html(
        '<pre style="white-space: pre-wrap; overflow-wrap: anywhere; margin: 0">{}</pre>',
        text,
    )


def _short_id(pk: object) -> SafeString:
    """The first 8 characters of a UUID, the whole one on hover: a full UUID wraps a narrow
    column onto four lines. Search and the object's page take the full id."""
    return format_html(
        '<span title="{}" style="font-family: monospace">{}…</span>', pk, str(pk)[:8]
    )


def _admin_link(obj: Project | Session | Message | Asset, text: object) -> SafeString:
    url = reverse(f"admin:sessions_app_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text)


def _changelist_link(
    model: type[Session] | type[ApiKey] | type[Message] | type[Asset], query: str, text: str
) -> SafeString:
    url = reverse(f"admin:sessions_app_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


# Projects ---------------------------------------------------------------------------------


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["name", "session_count", "api_key_count", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    ordering = ["name"]
    readonly_fields = ["id", "sessions", "api_keys", "created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Project]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                session_count=Coalesce(_count_of(Session, project=OuterRef("pk")), 0),
                api_key_count=Coalesce(_count_of(ApiKey, project=OuterRef("pk")), 0),
            )
        )

    def get_fields(self, request: HttpRequest, obj: Project | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("name", "members")
        return ("id", "name", "members", "sessions", "api_keys", "created_at")

    def has_delete_permission(self, request: HttpRequest, obj: Project | None = None) -> bool:
        return False

    @admin.display(description="Sessions", ordering="session_count")
    def session_count(self, project: Project) -> int:
        count: int = _annotation(project, "session_count")
        return count

    @admin.display(description="API keys", ordering="api_key_count")
    def api_key_count(self, project: Project) -> int:
        count: int = _annotation(project, "api_key_count")
        return count

    @admin.display(description="Sessions")
    def sessions(self, project: Project) -> SafeString:
        return _changelist_link(
            Session, f"project__id__exact={project.pk}", f"{self.session_count(project):,}"
        )

    @admin.display(description="API keys")
    def api_keys(self, project: Project) -> SafeString:
        return _changelist_link(
            ApiKey, f"project__id__exact={project.pk}", f"{self.api_key_count(project):,}"
        )


# API keys ---------------------------------------------------------------------------------


class ApiKeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "shown_prefix", "project", "status", "created_at", "last_used_at"]
    list_filter = [ApiKeyStatusFilter, "project"]
    list_select_related = ["project"]
    search_fields = ["name", "prefix"]
    ordering = ["-created_at"]
    actions = ["revoke"]
    shown_fields = ("name", "project", "shown_prefix", "status", "created_at", "last_used_at")
    issued_template = "admin/sessions_app/apikey/issued.html"

    def get_fields(self, request: HttpRequest, obj: ApiKey | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("project", "name")  # what api_key_issue needs; it generates the rest
        return self.shown_fields

    def get_readonly_fields(
        self, request: HttpRequest, obj: ApiKey | None = None
    ) -> tuple[str, ...]:
        return () if obj is None else self.shown_fields

    # A key is never edited (revoke it and issue another) nor deleted (revoked keys are the
    # record of who had access).
    def has_change_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ApiKey | None = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("sessions_app.change_apikey")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "POST":
            if not self.has_add_permission(request):
                raise PermissionDenied
            form = self.get_form(request, None, change=False)(request.POST)
            if form.is_valid():
                return self._issue(request, form)
        # The form, or its errors. One button: the answer to it is the secret, not a next form.
        context = {
            **(extra_context or {}),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
        }
        return super().add_view(request, form_url, context)

    def _issue(self, request: HttpRequest, form: ModelForm[ApiKey]) -> TemplateResponse:
        issued = services.api_key_issue(
            project=form.cleaned_data["project"], name=form.cleaned_data["name"]
        )
        self.log_addition(request, issued.api_key, [{"added": {}}])  # as Django logs an add
        # The secret goes into this response only: not into a redirect, a message (messages
        # live in a cookie or the session) or the database. admin_view marks the page
        # never_cache, so the browser does not keep it either.
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API key issued",
            "api_key": issued.api_key,
            "secret": issued.secret,
            "api_base_url": request.build_absolute_uri(reverse("ping")).removesuffix("/ping"),
        }
        return TemplateResponse(request, self.issued_template, context)

    def save_model(self, request: HttpRequest, obj: ApiKey, form: Any, change: bool) -> None:
        # Unreachable: add_view issues keys through the service and keys are never changed.
        raise PermissionDenied

    @admin.action(description="Revoke selected API keys", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        active = list(queryset.filter(revoked_at__isnull=True))
        for api_key in active:
            services.api_key_revoke(api_key=api_key)
        self.message_user(request, f"Revoked {len(active)} API key(s).", messages.SUCCESS)

    @admin.display(description="Key", ordering="prefix")
    def shown_prefix(self, api_key: ApiKey) -> str:
        return f"{api_key.prefix}…"

    @admin.display(description="Status", ordering="revoked_at")
    def status(self, api_key: ApiKey) -> str:
        if api_key.revoked_at is None:
            return "Active"
        return f"Revoked {api_key.revoked_at:%Y-%m-%d %H:%M} UTC"


# Sessions and messages --------------------------------------------------------------------


def _with_preview(queryset: QuerySet[Message]) -> QuerySet[Message]:
    """Messages with their displayed role and the beginning of their first part.

    Computed by the database from the canonical JSON, so that showing a message's first
    words does not fetch its whole blob. System and developer messages keep their provider
    role in canonical meta.
    """
    return queryset.annotate(
        shown_role=Coalesce(KT("canonical__meta__role"), KT("canonical__role")),
        first_text=Substr(KT("canonical__parts__0__text"), 1, PREVIEW_CHARS + 1),
        first_part_type=KT("canonical__parts__0__type"),
    )


def _messages_count(count: int) -> str:
    return f"{count:,} message" if count == 1 else f"{count:,} messages"


def _role(message: Message) -> str:
    role: str | None = _annotation(message, "shown_role")
    return role or ""


def _preview(message: Message) -> str:
    text: str | None = _annotation(message, "first_text")
    if text:
        return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"
    part_type: str | None = _annotation(message, "first_part_type")
    return f"[{part_type}]" if part_type else ""


class MessageInline(admin.TabularInline[Message, Session]):
    model = Message
    template = "admin/sessions_app/session/latest_messages.html"
    verbose_name_plural = "Latest messages"
    fields = readonly_fields = ("seq_link", "format", "role", "preview", "created_at")
    ordering = ["seq"]
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        # Only the preview columns: the blobs stay in the database.
        return _with_preview(super().get_queryset(request)).defer("raw", "canonical", "meta")

    def has_add_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    @admin.display(description="Seq")
    def seq_link(self, message: Message) -> SafeString:
        return _admin_link(message, message.seq)

    @admin.display(description="Role")
    def role(self, message: Message) -> str:
        return _role(message)

    @admin.display(description="Beginning")
    def preview(self, message: Message) -> str:
        return _preview(message)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin[Session]):
    list_display = ["short_id", "project", "end_user", "message_count", "created_at"]
    list_filter = ["project", "created_at"]
    list_select_related = ["project"]
    search_fields = ["id", "user"]
    ordering = ["-created_at"]
    # The unfiltered total is a second COUNT over every session; the filtered count suffices.
    show_full_result_count = False
    fields = readonly_fields = (
        "id",
        "project",
        "end_user",
        "disable_task_tracking",
        "pretty_configs",
        "all_messages",
        "files",
        "viewer",
        "created_at",
        "updated_at",
    )
    inlines = [MessageInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Session]:
        return (
            super()
            .get_queryset(request)
            .annotate(message_count=Coalesce(_count_of(Message, session=OuterRef("pk")), 0))
        )

    def get_formset_kwargs(
        self, request: HttpRequest, obj: Session, inline: Any, prefix: str
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, MessageInline):
            # seq runs 1..last_seq without gaps, so the newest messages are a range of the
            # (session, seq) index: no count, no offset.
            kwargs["queryset"] = kwargs["queryset"].filter(seq__gt=obj.last_seq - INLINE_MESSAGES)
        return kwargs

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sessions are created through the API (services.session_create)

    def has_change_permission(self, request: HttpRequest, obj: Session | None = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Session) -> None:
        services.session_delete(session=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Session]) -> None:
        for session in queryset:
            services.session_delete(session=session)

    def get_deleted_objects(
        self, objs: Sequence[Session] | QuerySet[Session], request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[str]]:
        """A summary for the confirmation page: each session and its number of messages.

        Django's own list names every related row (10,000 lines for a long session) and asks
        for the permission to delete messages, which the admin does not grant one by one.
        """
        sessions = list(objs)
        counts = dict(
            Message.objects.filter(session__in=sessions)
            .order_by()
            .values("session")
            .annotate(count=Count("*"))
            .values_list("session", "count")
        )
        deleted: list[Any] = []
        for session in sessions:
            deleted += [
                format_html("Session: {}", _admin_link(session, session.pk)),
                [_messages_count(counts.get(session.pk, 0))],
            ]
        model_count = {"sessions": len(sessions), "messages": sum(counts.values())}
        perms_needed = set() if self.has_delete_permission(request) else {"session"}
        return deleted, model_count, perms_needed, []

    @admin.display(description="Id", ordering="id")
    def short_id(self, session: Session) -> SafeString:
        return _short_id(session.pk)

    @admin.display(description="End user", ordering="user")
    def end_user(self, session: Session) -> str:
        return session.user or "—"

    @admin.display(description="Messages", ordering="message_count")
    def message_count(self, session: Session) -> int:
        count: int = _annotation(session, "message_count")
        return count

    @admin.display(description="Configs")
    def pretty_configs(self, session: Session) -> SafeString:
        return _pretty_json(session.configs)

    @admin.display(description="Messages")
    def all_messages(self, session: Session) -> SafeString:
        return _changelist_link(
            Message, f"session={session.pk}", f"All {self.message_count(session):,} messages"
        )

    @admin.display(description="Files")
    def files(self, session: Session) -> SafeString | str:
        held = session_assets(session)
        count = held.count()
        if not count:
            return "—"
        shown = list(held.order_by("created_at", "key")[:FILES_SHOWN])
        names = _file_names(session, shown)
        rows = format_html_join(
            "",
            # A key is one long word: it breaks anywhere rather than widen the page.
            '<tr><td>{}</td><td>{}</td><td>{}</td><td style="overflow-wrap: anywhere">{}</td></tr>',
            [
                (
                    ", ".join(names.get(asset.sha256, [])) or "—",
                    asset.mime,
                    filesizeformat(asset.size),
                    _admin_link(asset, asset.key),
                )
                for asset in shown
            ],
        )
        everything = _changelist_link(
            Asset, f"messages__session={session.pk}", f"All {_files_count(count)}"
        )
        return format_html(
            "<p>{}</p><table><thead><tr><th>File name</th><th>Type</th><th>Size</th>"
            "<th>Key</th></tr></thead><tbody>{}</tbody></table>",
            everything,
            rows,
        )

    @admin.display(description="Viewer")
    def viewer(self, session: Session) -> SafeString:
        return format_html_join(
            " · ",
            '<a href="{}">{}</a>',
            [
                (reverse("pages:conversation", args=[session.pk]), "Conversation"),
                (reverse("pages:side-by-side", args=[session.pk]), "Side by side"),
            ],
        )


def session_assets(session: Session) -> QuerySet[Asset]:
    """The files that the session's messages hold (each once, however many hold it)."""
    return Asset.objects.filter(
        Exists(MessageAsset.objects.filter(asset=OuterRef("pk"), message__session=session))
    )


def _file_names(session: Session, shown: Sequence[Asset]) -> dict[str, list[str]]:
    """The names these files have in the session's messages, by sha256, in message order."""
    holders = MessageAsset.objects.filter(asset__in=shown).values("message_id")
    canonicals = (
        Message.objects.filter(session=session, pk__in=holders)
        .order_by("seq")
        .values_list("canonical", flat=True)[:FILE_NAME_MESSAGES]
    )
    names: defaultdict[str, list[str]] = defaultdict(list)
    for canonical in canonicals:
        for _, part in assets.asset_parts(canonical):
            sha256, filename = part["asset"].get("sha256"), part.get("filename")
            if isinstance(filename, str) and filename and filename not in names[sha256]:
                names[sha256].append(filename)
    return names


def _files_count(count: int) -> str:
    return f"{count:,} file" if count == 1 else f"{count:,} files"


class MessageChangeList(ChangeList):
    def get_queryset(
        self, request: HttpRequest, exclude_parameters: list[str | None] | None = None
    ) -> QuerySet[Any]:
        # A page of 100 rows would otherwise load 100 blobs; the change page shows them.
        return super().get_queryset(request, exclude_parameters).defer("raw", "canonical", "meta")


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["seq", "session_link", "format", "role", "preview", "created"]
    list_filter = ["format"]
    # (session, seq) is the unique index, so this order pages without sorting the table.
    ordering = ["session", "seq"]
    show_full_result_count = False
    fields = readonly_fields = (
        "id",
        "session_link",
        "seq",
        "format",
        "role",
        "created_at",
        "updated_at",
        "pretty_meta",
        "pretty_canonical",
        "pretty_raw",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return _with_preview(super().get_queryset(request))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return MessageChangeList

    # Messages are stored through the API (validation, seq allocation) and never edited or
    # deleted one by one; deleting their session removes them.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Message | None = None) -> bool:
        return False

    @admin.display(description="Session", ordering="session")
    def session_link(self, message: Message) -> SafeString:
        url = reverse("admin:sessions_app_session_change", args=[message.session_id])
        return format_html('<a href="{}">{}</a>', url, _short_id(message.session_id))

    @admin.display(description="Role")
    def role(self, message: Message) -> str:
        return _role(message)

    # The two below keep six columns beside the filter at 1280 pixels: a long unbroken word
    # (a URL, a token) may break anywhere, the date is compact and never breaks.
    @admin.display(description="Beginning")
    def preview(self, message: Message) -> SafeString:
        return format_html('<span style="overflow-wrap: anywhere">{}</span>', _preview(message))

    @admin.display(description="Created", ordering="created_at")
    def created(self, message: Message) -> SafeString:
        moment = f"{localtime(message.created_at):%Y-%m-%d %H:%M}"
        return format_html('<span style="white-space: nowrap">{}</span>', moment)

    @admin.display(description="Meta")
    def pretty_meta(self, message: Message) -> SafeString:
        return _pretty_json(message.meta)

    @admin.display(description="Canonical")
    def pretty_canonical(self, message: Message) -> SafeString:
        return _pretty_json(message.canonical)

    @admin.display(description="Raw (as received)")
    def pretty_raw(self, message: Message) -> SafeString:
        return _pretty_json(message.raw)


# Uploaded files ---------------------------------------------------------------------------


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin[Asset]):
    list_display = ["shown_key", "project", "media_type", "human_size", "created", "message_count"]
    list_filter = ["project", "mime"]
    list_select_related = ["project"]
    search_fields = ["key", "sha256"]
    ordering = ["-created_at"]
    show_full_result_count = False
    fields = readonly_fields = (
        "id",
        "project",
        "key",
        "bucket",
        "media_type",
        "human_size",
        "sha256",
        "etag",
        "created_at",
        "messages_link",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Asset]:
        return (
            super()
            .get_queryset(request)
            .annotate(message_count=Coalesce(_count_of(MessageAsset, asset=OuterRef("pk")), 0))
        )

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest) -> bool:
        # The session page's link to all of its files.
        return lookup == "messages__session" or super().lookup_allowed(lookup, value, request)

    # Files arrive with their messages (the API) and go with the last session holding them
    # (services.session_delete); one deleted here would break the messages that hold it.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Asset | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Asset | None = None) -> bool:
        return False

    # A key is one long word (assets/<project>/<date>/<sha256>.<ext>): it may break anywhere
    # rather than push the other columns off the page.
    @admin.display(description="Key", ordering="key")
    def shown_key(self, asset: Asset) -> SafeString:
        return format_html('<span style="overflow-wrap: anywhere">{}</span>', asset.key)

    @admin.display(description="Created", ordering="created_at")
    def created(self, asset: Asset) -> SafeString:
        moment = f"{localtime(asset.created_at):%Y-%m-%d %H:%M}"
        return format_html('<span style="white-space: nowrap">{}</span>', moment)

    @admin.display(description="Type", ordering="mime")
    def media_type(self, asset: Asset) -> str:
        return asset.mime

    @admin.display(description="Size", ordering="size")
    def human_size(self, asset: Asset) -> str:
        return filesizeformat(asset.size)

    @admin.display(description="Messages", ordering="message_count")
    def message_count(self, asset: Asset) -> int:
        count: int = _annotation(asset, "message_count")
        return count

    @admin.display(description="Messages")
    def messages_link(self, asset: Asset) -> SafeString:
        return _changelist_link(
            Message, f"assets={asset.pk}", _messages_count(self.message_count(asset))
        )
