from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from concierge.models import (
    Appointment,
    Assignment,
    AuditEntry,
    ContactLog,
    DepartmentContact,
    Member,
    PreparationItem,
    Purchase,
    ReceptionSettings,
    Room,
    Staff,
    StaffBlock,
    StaffHours,
    Store,
    Tag,
    Tier,
    TierProgram,
)
from concierge.setup_actions import TIER_FIELDS


def superusers_only(request):
    """Django's admin reaches every store's rows and every account: it is for the people who run
    the installation. A store's own staff, the admin role included, work in the app's pages."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superusers_only


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that only the workflows write: the admin may look, never touch."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tier_program"]
    search_fields = ["code", "name"]


@admin.register(Staff)
class StaffAdmin(UserAdmin):
    list_display = ["username", "display_name", "store", "caseload_limit", "is_active"]
    list_filter = ["store", "groups", "is_active"]
    search_fields = ["username", "display_name", "first_name", "last_name"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Store"), {"fields": ("store", "display_name", "caseload_limit", "language")}),
    )
    add_fieldsets = (*UserAdmin.add_fieldsets, (_("Store"), {"fields": ("store", "display_name", "groups")}))


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    # The fields the store's own set-up writes, the rank first as in a table of tiers.
    fields = ["rank", *(name for name in TIER_FIELDS if name != "rank")]


@admin.register(TierProgram)
class TierProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "period_start_month", "period_start_day", "points_per_yuan"]
    inlines = [TierInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ["member_no", "name", "store", "tier", "value_class", "lifecycle", "last_purchase_at"]
    list_filter = ["store", "tier", "value_class", "lifecycle"]
    search_fields = ["member_no", "name", "phone_last4"]
    autocomplete_fields = ["tags"]
    readonly_fields = [
        "value_class",
        "lifecycle",
        "first_purchase_at",
        "last_purchase_at",
        "spend_12m",
        "purchase_count",
        "tier_period_start",
    ]


@admin.register(Purchase)
class PurchaseAdmin(admin.ModelAdmin):
    list_display = ["receipt_ref", "store", "member", "purchased_at", "amount"]
    list_filter = ["store"]
    search_fields = ["receipt_ref", "member__member_no"]
    raw_id_fields = ["member", "staff"]
    date_hierarchy = "purchased_at"


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["member", "staff", "channel", "outcome", "contacted_at"]
    raw_id_fields = ["member", "staff"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit trail is evidence: nobody edits or deletes it, not even an administrator."""

    list_display = ["at", "action", "object_repr", "from_state", "to_state", "actor", "store"]
    list_filter = ["action", "store"]
    search_fields = ["action", "object_repr"]
    date_hierarchy = "at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["data"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    """Read-only: assignments change only through the actions, which lock, audit and alert."""

    list_display = ["member", "manager", "state", "created_at", "ended_at"]
    list_filter = ["state", "store"]
    search_fields = ["member__name", "member__member_no", "manager__display_name"]
    list_select_related = ["member", "manager"]


# ---- appointment reception ---------------------------------------------------------------------------
# The store's reception set-up is edited in the app's Settings, where every change is audited; here
# the installation's administrators may correct it. Visits change state only through the app's
# actions (which lock, check, audit and alert): the admin shows them, read-only.


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "store", "kind", "capacity", "active", "position"]
    list_filter = ["store", "kind", "active"]
    search_fields = ["name"]


@admin.register(DepartmentContact)
class DepartmentContactAdmin(admin.ModelAdmin):
    list_display = ["department", "staff", "store"]
    list_filter = ["store", "department"]
    raw_id_fields = ["staff"]


@admin.register(ReceptionSettings)
class ReceptionSettingsAdmin(admin.ModelAdmin):
    list_display = ["store", "default_minutes", "ack_minutes", "no_show_minutes", "no_show_flag_count"]


@admin.register(StaffHours)
class StaffHoursAdmin(admin.ModelAdmin):
    list_display = ["staff", "weekday", "starts", "ends", "store"]
    list_filter = ["store", "weekday"]
    raw_id_fields = ["staff"]


@admin.register(StaffBlock)
class StaffBlockAdmin(admin.ModelAdmin):
    list_display = ["staff", "starts_at", "ends_at", "reason", "store"]
    list_filter = ["store"]
    raw_id_fields = ["staff"]
    date_hierarchy = "starts_at"


class PreparationItemInline(admin.TabularInline):
    model = PreparationItem
    extra = 0
    fields = ["department", "text", "done_at", "done_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdmin):
    """Read-only: a visit changes state only through the app's actions."""

    list_display = ["pk", "starts_at", "member", "host", "room", "state", "walk_in", "store"]
    list_filter = ["state", "store", "walk_in", "purpose"]
    search_fields = ["member__name", "member__member_no", "host__display_name", "car_plate"]
    list_select_related = ["member", "host", "room", "store"]
    date_hierarchy = "starts_at"
    inlines = [PreparationItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
