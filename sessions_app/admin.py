"""A first admin: browse everything, revoke keys. Writes that have rules (issuing keys,
storing messages) go through services.py, so the admin does not offer to add those rows."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import ApiKey, Message, Project, Session


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin[Project]):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["name", "prefix", "project", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["project"]
    readonly_fields = [
        "project",
        "prefix",
        "secret_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are issued with `manage.py create_api_key`, which shows the secret

    @admin.action(description="Revoke selected API keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for api_key in queryset:
            services.api_key_revoke(api_key=api_key)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin[Session]):
    list_display = ["id", "project", "user", "last_seq", "created_at"]
    list_filter = ["project"]
    search_fields = ["id", "user"]
    readonly_fields = ["id", "project", "last_seq", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin[Message]):
    list_display = ["session", "seq", "format", "created_at"]
    list_filter = ["format"]
    readonly_fields = [
        "id",
        "session",
        "seq",
        "format",
        "raw",
        "canonical",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
