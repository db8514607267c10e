from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/sign-in/", views.sign_in, name="login"),
    path("staff/sign-out/", views.sign_out, name="logout"),
]
