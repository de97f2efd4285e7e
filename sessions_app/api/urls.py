from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import PingView, SessionViewSet

# No trailing slashes: the SDKs call /session, /session/{id}/messages, ...
router = SimpleRouter(trailing_slash=False)
router.register("session", SessionViewSet, basename="session")

urlpatterns = [
    path("ping", PingView.as_view(), name="ping"),
    *router.urls,
]
