from django.urls import path

app_name = "consult_staff"
urlpatterns: list = []
