"""The ledger in Django's admin: read-only, since the database refuses changes anyway (append-only)."""

from django.contrib import admin

from .models import Count, Inventory, LedgerEntry, Lot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["lot_number", "ndc", "substance", "form", "expires_on", "balance_mg", "clinic"]
    list_filter = ["clinic", "substance", "form"]
    list_select_related = ["clinic"]
    search_fields = ["lot_number", "ndc"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "kind", "lot", "change_mg", "balance_after_mg", "performed_by"]
    list_filter = ["kind"]
    list_select_related = ["lot", "performed_by"]
    raw_id_fields = ["lot", "patient", "corrects", "performed_by", "recorded_by"]


@admin.register(Count)
class CountAdmin(ReadOnlyAdmin):
    list_display = ["counted_at", "lot", "expected_mg", "counted_mg", "discrepancy_mg"]
    list_select_related = ["lot"]


@admin.register(Inventory)
class InventoryAdmin(ReadOnlyAdmin):
    list_display = ["taken_at", "kind", "timing", "clinic"]
    list_select_related = ["clinic"]
