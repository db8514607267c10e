from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("shire.core.urls")),
    # Results pages (public "we asked, you said" and the officers' report) live beside the
    # consultation URLs they extend: /consultations/<slug>/results/ and /staff/consultations/<slug>/results/.
    path("", include("shire.consult.urls_results")),
    path("consultations/", include("shire.consult.urls_public")),
    path("staff/consultations/", include("shire.consult.urls_staff")),
    path("grants/", include("shire.grants.urls")),
    # The officers' HSDS download (views_hsds.py), beside the directory's own staff pages.
    path("directory/staff/hsds/", include("shire.directory.urls_staff_hsds")),
    path("directory/", include("shire.directory.urls")),
    path("api/oruk/", include("shire.directory.urls_api")),
    path("admin/", admin.site.urls),
]
