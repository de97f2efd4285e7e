"""The pages' forms: what a person may ask of the session list, of an edit preview and of
the search."""

import json
import uuid
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import ValidationError

import conversion
from sessions_app import search
from sessions_app.api.filters import JSONObjectFormField, filter_json_contains
from sessions_app.api.pagination import decode_time_cursor
from sessions_app.models import Message, Project, Session

# The session list's orders: (label, ORDER BY). Each ends with the id, so pages never overlap.
SORTS = {
    "newest": ("Newest first", ("-created_at", "-id")),
    "oldest": ("Oldest first", ("created_at", "id")),
    "changed": ("Last changed first", ("-updated_at", "-id")),
    "messages": ("Most messages first", ("-message_count", "-created_at", "-id")),
    "tokens": ("Most tokens first", ("-token_count", "-created_at", "-id")),
}


class SessionListForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True)
    project = forms.UUIDField(required=False)
    created_from = forms.DateField(required=False, label="Created from")
    created_to = forms.DateField(required=False, label="Created to")
    configs = JSONObjectFormField(
        required=False, help_text='A JSON object the configs contain, e.g. {"agent": "bot1"}'
    )
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in SORTS.items()]
    )

    def __init__(self, data: Any, *, projects: Iterable[Project]) -> None:
        super().__init__(data)
        self.projects = {project.pk: project for project in projects}

    def clean_project(self) -> Project | None:
        chosen = self.cleaned_data.get("project")
        if chosen is None:
            return None
        if chosen not in self.projects:
            # Another project's id reads as an unknown one.
            raise forms.ValidationError("Not a project you can see.")
        return self.projects[chosen]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("created_from"), cleaned.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", "Must not be before the start date.")
        return cleaned

    def filter(self, sessions: QuerySet[Session]) -> QuerySet[Session]:
        """The sessions that match, annotated for the list and sorted (call after is_valid)."""
        fields = self.cleaned_data
        search = fields.get("q")
        if search:
            # A session id (or its first characters) or part of the end-user id.
            sessions = sessions.filter(Q(id__istartswith=search) | Q(user__icontains=search))
        if fields.get("project") is not None:
            sessions = sessions.filter(project=fields["project"])
        if fields.get("created_from"):
            sessions = sessions.filter(created_at__gte=_day_start(fields["created_from"]))
        if fields.get("created_to"):
            sessions = sessions.filter(
                created_at__lt=_day_start(fields["created_to"]) + timedelta(days=1)
            )
        if fields.get("configs"):
            sessions = filter_json_contains(sessions, "configs", fields["configs"])
        return with_summary(sessions).order_by(*SORTS[fields.get("sort") or "newest"][1])


def _day_start(day: Any) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def with_summary(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """Each session with its message and token counts and a preview: the first text of its
    first user message. Correlated subqueries rather than JOIN + GROUP BY: only the rows of
    the page are counted, each through the (session, seq) index."""
    messages = Message.objects.filter(session=OuterRef("pk")).order_by().values("session")
    # A user's own words: not a system prompt or a tool's answer (those are user messages
    # with another role in their meta), and text within the first two parts (an image may
    # come first).
    first_user_text = (
        Message.objects.filter(session=OuterRef("pk"), canonical__role="user")
        .filter(Q(canonical__parts__0__type="text") | Q(canonical__parts__1__type="text"))
        .filter(
            # The key test first: SQL's NOT IN is unknown, not true, for a missing key.
            Q(canonical__meta__role__isnull=True)
            | ~Q(canonical__meta__role__in=["system", "developer", "tool", "function"])
        )
        .order_by("seq")
        .annotate(
            text=Case(
                When(canonical__parts__0__type="text", then=KT("canonical__parts__0__text")),
                default=KT("canonical__parts__1__text"),
            )
        )
        .values("text")[:1]
    )
    return sessions.annotate(
        message_count=Coalesce(
            Subquery(messages.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
            0,
        ),
        token_count=Coalesce(
            Subquery(messages.annotate(n=Sum("tokens")).values("n"), output_field=IntegerField()),
            0,
        ),
        preview=Subquery(first_user_text),
    )


class EditPreviewForm(forms.Form):
    """Edit strategies chosen on a page, as the API's ``edit_strategies`` JSON would name
    them: each given strategy is read by conversion.parse_strategies, as the API's are."""

    format = forms.ChoiceField(choices=[(name, name) for name in conversion.FORMATS])
    remove_tool_result = forms.BooleanField(required=False, label="Remove tool results")
    keep_recent_n_tool_results = forms.IntegerField(
        required=False, min_value=0, label="keeping the newest"
    )
    remove_tool_call_params = forms.BooleanField(required=False, label="Remove tool-call arguments")
    keep_recent_n_tool_calls = forms.IntegerField(
        required=False, min_value=0, label="keeping the newest"
    )
    token_limit = forms.IntegerField(required=False, min_value=1, label="Token limit")
    middle_out = forms.IntegerField(required=False, min_value=1, label="Middle out to")

    def strategies(self) -> list[conversion.Strategy]:
        """The chosen strategies (call after is_valid); InvalidEditStrategy as the API's."""
        fields = self.cleaned_data
        chosen: list[dict[str, Any]] = []
        if fields.get("remove_tool_result"):
            kept = fields.get("keep_recent_n_tool_results")
            params = {} if kept is None else {"keep_recent_n_tool_results": kept}
            chosen.append({"type": "remove_tool_result", "params": params})
        if fields.get("remove_tool_call_params"):
            kept = fields.get("keep_recent_n_tool_calls")
            params = {} if kept is None else {"keep_recent_n_tool_calls": kept}
            chosen.append({"type": "remove_tool_call_params", "params": params})
        if fields.get("token_limit") is not None:
            chosen.append(
                {"type": "token_limit", "params": {"limit_tokens": fields["token_limit"]}}
            )
        if fields.get("middle_out") is not None:
            chosen.append(
                {"type": "middle_out", "params": {"token_reduce_to": fields["middle_out"]}}
            )
        self.edit_strategies_json = json.dumps(chosen) if chosen else ""
        return conversion.parse_strategies(chosen)


class MessageSearchForm(forms.Form):
    q = forms.CharField(label="Search", max_length=search.QUERY_MAX_CHARS)
    cursor = forms.CharField(required=False)

    def clean_q(self) -> str:
        query: str = self.cleaned_data["q"]
        try:
            search.parse_query(query)
        except search.InvalidSearchQuery as invalid:
            raise forms.ValidationError(str(invalid)) from None
        return query

    def clean_cursor(self) -> tuple[Any, uuid.UUID] | None:
        cursor: str = self.cleaned_data["cursor"]
        if not cursor:
            return None
        try:
            return decode_time_cursor(cursor)
        except ValidationError:
            raise forms.ValidationError("is not a position this search gave") from None
