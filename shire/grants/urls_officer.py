"""The officers' assessment, decision, payment, monitoring and dashboard pages, under /grants/officer/."""
app_name = "grants_officer"
urlpatterns: list = []
