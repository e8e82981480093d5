from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kap_clinic.access import Action, clinic_for_request, role_required
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record, home_clinic
from kap_clinic.pagination import paginate

from . import services
from .forms import ClinicSettingsForm, EmailAuthenticationForm, SetPasswordForm, StaffInviteForm
from .middleware import SESSION_KEY as TIME_ZONE_SESSION_KEY
from .models import Clinic, Membership, User


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit_record(actor=form.user, action=AuditEvent.Action.PASSWORD_RESET, clinic=home_clinic(form.user))
        return response


@sensitive_post_parameters("password1", "password2")
def accept_invitation(request, token):
    """The emailed link: choose a password, then straight into the app."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return render(request, "accounts/invitation_invalid.html", {"problem": str(error)}, status=400)
    form = SetPasswordForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password1"])
        except services.InvitationError as error:
            return render(request, "accounts/invitation_invalid.html", {"problem": str(error)}, status=400)
        login(request, user, backend="kap_clinic.accounts.backends.ClinicAuthBackend")
        messages.success(request, _("Welcome, %(name)s. Your password is set.") % {"name": user.get_short_name()})
        return redirect("home")
    return render(request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation})


@role_required(User.Role.ADMIN)
def staff_list(request):
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    memberships = (
        Membership.objects.filter(clinic=clinic).select_related("user").order_by("-is_active", "user__full_name")
    )
    page, page_query = paginate(request, memberships)
    return render(request, "accounts/staff_list.html", {"clinic": clinic, "page": page, "page_query": page_query})


@role_required(User.Role.ADMIN)
def staff_invite(request):
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.staff_invite(clinic=clinic, invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("accounts:staff_list")
    return render(request, "accounts/staff_invite.html", {"form": form, "clinic": clinic})


@role_required(User.Role.ADMIN)
def clinic_settings(request):
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    form = ClinicSettingsForm(request.POST or None, instance=Clinic.objects.get(pk=clinic.pk))
    if request.method == "POST" and form.is_valid():
        services.clinic_update(clinic=clinic, changes=form.cleaned_data, by=request.user)
        if "time_zone" in form.changed_data:
            request.session.pop(TIME_ZONE_SESSION_KEY, None)
        messages.success(request, _("The clinic's details were saved."))
        return redirect("accounts:clinic_settings")
    return render(request, "accounts/clinic_settings.html", {"form": form, "clinic": clinic})


def _membership(request, code) -> Membership:
    """A staff member of the admin's own clinic, by their public code; 404 for anyone else's."""
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    return get_object_or_404(Membership.objects.select_related("user", "clinic"), clinic=clinic, user__code=code)


@role_required(User.Role.ADMIN)
def staff_toggle_active(request, code):
    """GET asks for confirmation; POST deactivates or reactivates the member at this clinic."""
    membership = _membership(request, code)
    if request.method == "POST":
        try:
            services.membership_set_active(membership=membership, active=not membership.is_active, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            state = _("reactivated") if membership.is_active else _("deactivated")
            messages.success(
                request, _("%(name)s was %(state)s.") % {"name": membership.user.full_name, "state": state}
            )
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_confirm_toggle.html", {"membership": membership, "member": membership.user})


@require_POST
@role_required(User.Role.ADMIN)
def staff_resend_invitation(request, code):
    membership = _membership(request, code)
    try:
        services.invitation_resend(user=membership.user, clinic=membership.clinic, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("A new invitation was sent to %(email)s.") % {"email": membership.user.email})
    return redirect("accounts:staff_list")
