from django.contrib import admin

from concierge.admin import ReadOnlyAdmin
from tasks.models import CareTask, EtiquetteWords, Holiday, MessageTemplate


@admin.register(CareTask)
class CareTaskAdmin(ReadOnlyAdmin):
    """Read-only: tasks change only through tick and the actions, which lock, audit and alert."""

    list_display = ["member", "kind", "due_date", "state", "assignee", "outcome", "closed_at"]
    list_filter = ["state", "kind", "store"]
    search_fields = ["member__name", "member__member_no", "assignee__display_name", "reason"]
    list_select_related = ["member", "assignee"]
    date_hierarchy = "due_date"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


# The store manager edits these on the care setup pages, where the etiquette check runs; the
# administrator sees what every store has.
@admin.register(Holiday)
class HolidayAdmin(ReadOnlyAdmin):
    list_display = ["name", "date", "store", "greet", "source", "updated_by"]
    list_filter = ["store", "greet"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ReadOnlyAdmin):
    list_display = ["purpose", "language", "store", "updated_at", "updated_by"]
    list_filter = ["store", "purpose", "language"]


@admin.register(EtiquetteWords)
class EtiquetteWordsAdmin(ReadOnlyAdmin):
    list_display = ["category", "language", "store", "updated_at", "updated_by"]
    list_filter = ["store", "category", "language"]
