from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from acontext_site import redoc
from sessions_app.api import errors as api_errors

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("sessions_app.api.urls")),
    # Whatever DEBUG is, an unknown API path answers the envelope the SDKs parse (with DEBUG on
    # Django would render its HTML debug page instead of handler404).
    re_path(r"^api/v1/", api_errors.unknown_api_path),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("api/redoc/bundles/redoc.standalone.js", redoc.redoc_bundle, name="redoc-bundle"),
    path("", include("sessions_app.urls")),
]

handler400 = "sessions_app.api.errors.handler400"
handler404 = "sessions_app.api.errors.handler404"
handler500 = "sessions_app.api.errors.handler500"
