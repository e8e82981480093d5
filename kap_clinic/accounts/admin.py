from django.contrib import admin

from .models import Clinic, Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    """Platform-level view of accounts. Clinics manage their staff from the app's own staff page."""

    ordering = ["email"]
    list_display = ["email", "full_name", "role", "clinician_kind", "is_active"]
    list_filter = ["role", "clinician_kind", "is_active"]
    search_fields = ["email", "full_name"]
    fields = ["email", "full_name", "role", "clinician_kind", "is_active", "is_staff", "is_superuser", "last_login"]
    readonly_fields = ["last_login"]
    inlines = [MembershipInline]


@admin.register(Clinic)
class ClinicAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "contact_email"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["user", "clinic", "invited_by", "created_at", "accepted_at"]
    readonly_fields = ["user", "clinic", "invited_by", "created_at", "accepted_at"]
