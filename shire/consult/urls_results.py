from django.urls import path

app_name = "consult_results"
urlpatterns: list = []
