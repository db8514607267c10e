from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("shire.core.urls")),
    path("consultations/", include("shire.consult.urls_public")),
    path("staff/consultations/", include("shire.consult.urls_staff")),
    path("admin/", admin.site.urls),
]
