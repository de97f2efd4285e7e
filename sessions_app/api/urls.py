from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MaterialView, PingView, SearchView, SessionViewSet

# No trailing slashes: the SDKs call /session, /session/{id}/messages, ...
router = SimpleRouter(trailing_slash=False)
router.register("session", SessionViewSet, basename="session")

urlpatterns = [
    path("ping", PingView.as_view(), name="ping"),
    path("material/<str:token>", MaterialView.as_view(), name="material"),
    path("search", SearchView.as_view(), name="search"),
    *router.urls,
]
