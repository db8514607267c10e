"""Consultations in Django's admin, for administrators who look after the site.

Responses and drafts are deliberately not registered: their answers (and a draft's e-mail
address) are personal data, read only by the consultation's team on the staff pages.
The questionnaire definition is shown but not editable here: it is only ever made by
importing an XLSForm, so that it is always valid.
"""
from django.contrib import admin

from .models import Consultation, Questionnaire


class QuestionnaireInline(admin.StackedInline):
    model = Questionnaire
    fields = ("title", "form_id", "version", "source_name", "uploaded_by", "uploaded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "team", "status", "opens_on", "closes_on")
    list_filter = ("status", "team")
    search_fields = ("title", "slug")
    date_hierarchy = "opens_on"
    prepopulated_fields = {"slug": ("title",)}
    # Uploaded files are never served from a media URL, so the document is replaced on the
    # staff pages, which check the PDF, and only named here.
    exclude = ("document",)
    readonly_fields = ("document_file", "published_at", "created_by", "created_at", "updated_at")
    list_select_related = ("team",)
    inlines = [QuestionnaireInline]

    @admin.display(description="document")
    def document_file(self, obj):
        return obj.document.name if obj.document else "-"


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ("title", "consultation", "form_id", "version", "uploaded_at")
    search_fields = ("title", "form_id", "consultation__title", "consultation__slug")
    list_select_related = ("consultation",)
    exclude = ("source_file",)  # not served from a media URL; officers download it from the staff pages
    readonly_fields = ("consultation", "form_id", "version", "definition", "source_name", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request):
        return False
