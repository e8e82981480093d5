from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from kap_clinic.access import Action, clinic_for_request, role_required
from kap_clinic.pagination import paginate

from . import services
from .forms import EmailAuthenticationForm, SetPasswordForm, StaffInviteForm
from .models import User


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


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
    staff = User.objects.filter(memberships__clinic=clinic).order_by("-is_active", "full_name")
    page, page_query = paginate(request, staff)
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
def staff_toggle_active(request, code):
    """GET asks for confirmation; POST deactivates or reactivates."""
    clinic = clinic_for_request(request, Action.MANAGE_STAFF)
    member = get_object_or_404(User.objects.filter(memberships__clinic=clinic), code=code)
    if request.method == "POST":
        try:
            services.staff_set_active(user=member, active=not member.is_active, by=request.user, clinic=clinic)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            state = _("reactivated") if member.is_active else _("deactivated")
            messages.success(request, _("%(name)s was %(state)s.") % {"name": member.full_name, "state": state})
        return redirect("accounts:staff_list")
    return render(request, "accounts/staff_confirm_toggle.html", {"member": member, "clinic": clinic})
