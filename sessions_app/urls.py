from django.contrib.auth import views as auth_views
from django.urls import path, register_converter
from django.views.generic import RedirectView

from . import views


class Sha256Converter:
    regex = "[0-9a-f]{64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Sha256Converter, "sha256")

app_name = "pages"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="pages:session-list"), name="home"),
    path(
        "accounts/login/",
        views.content_security_policy(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sessions/", views.session_list, name="session-list"),
    path("search/", views.message_search, name="search"),
    path("sessions/<uuid:session_id>/", views.conversation, name="conversation"),
    path("sessions/<uuid:session_id>/side-by-side/", views.side_by_side, name="side-by-side"),
    path("sessions/<uuid:session_id>/edit-preview/", views.edit_preview, name="edit-preview"),
    path("sessions/<uuid:session_id>/messages.json", views.messages_json, name="messages-json"),
    path(
        "sessions/<uuid:session_id>/assets/<sha256:sha256>",
        views.asset_file,
        name="asset-file",
    ),
]
