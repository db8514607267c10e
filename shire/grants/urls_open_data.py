"""The public 360Giving open data pages, under /grants/open-data/."""
app_name = "grants_open_data"
urlpatterns: list = []
