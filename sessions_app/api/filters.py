from collections.abc import Iterator, Mapping
from typing import Any

import django_filters
from django import forms
from django.db import connection
from django.db.models import F, QuerySet
from django.db.models.fields.json import KeyTransform

from conversion import json_rules
from sessions_app.models import Session

from .json import contains_nul


def filter_json_contains(
    queryset: QuerySet[Any], field: str, expected: Mapping[str, Any]
) -> QuerySet[Any]:
    """Rows whose JSON ``field`` contains ``expected`` (Postgres' jsonb ``@>``).

    SQLite has no JSON containment, so there the object becomes one equality per leaf key
    (nested objects recurse). That differs from ``@>`` only for arrays, which must then match
    exactly rather than contain the given elements.
    """
    if connection.vendor == "postgresql":
        return queryset.filter(**{f"{field}__contains": expected})
    # Key transforms built as expressions, not "configs__a__b" strings, so that keys which
    # look like lookups ("contains") or hold "__" are still plain keys.
    leaves: dict[str, Any] = {}
    expressions: dict[str, KeyTransform] = {}
    for index, (keys, value) in enumerate(_leaves(expected)):
        expression: Any = F(field)
        for key in keys:
            expression = KeyTransform(key, expression)
        name = f"_{field}_contains_{index}"
        expressions[name] = expression
        leaves[name] = value
    filtered: QuerySet[Any] = queryset.alias(**expressions).filter(**leaves)
    return filtered


def _leaves(
    expected: Mapping[str, Any], keys: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in expected.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*keys, key))
        else:
            yield (*keys, key), value


class JSONObjectFormField(forms.CharField):
    """A JSON object in a query parameter, held to the same rules as JSON bodies: the
    database must be able to compare with it (no NUL, no lone surrogate, numbers and depth
    within conversion.json_rules)."""

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return None
        try:
            parsed = json_rules.loads(text)
        except json_rules.UnsupportedJSON as unsupported:
            raise forms.ValidationError(str(unsupported)) from None
        except ValueError:
            raise forms.ValidationError("Must be a JSON object.") from None
        if not isinstance(parsed, dict):
            raise forms.ValidationError("Must be a JSON object.")
        if "\\u0000" in text and contains_nul(parsed):
            raise forms.ValidationError("strings must not contain \\u0000")
        return parsed


class JSONContainsFilter(django_filters.Filter):  # type: ignore[misc]
    field_class = JSONObjectFormField

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        field_name: str = self.field_name
        return filter_json_contains(qs, field_name, value)


class SessionFilter(django_filters.FilterSet):  # type: ignore[misc]
    user = django_filters.CharFilter(field_name="user", help_text="Sessions of this end user")
    filter_by_configs = JSONContainsFilter(
        field_name="configs",
        help_text='A JSON object the session configs must contain, e.g. {"agent": "bot1"}',
    )

    class Meta:
        model = Session
        fields = ["user", "filter_by_configs"]
