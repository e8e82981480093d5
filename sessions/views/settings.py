"""A clinic's dosing settings beyond the protocol page: the licensed dissociation scale."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kap_clinic.access import Action, clinic_for_request, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record

from ..forms.settings import DissociationScaleForm
from ..models import DissociationScale
from ..services import settings as services


@role_required(User.Role.ADMIN)
def dissociation_scale(request):
    """Add, change or (after ticking a confirmation) remove the clinic's licensed dissociation scale."""
    clinic = clinic_for_request(request, Action.MANAGE_PROTOCOL)
    saved = DissociationScale.objects.filter(clinic=clinic).first()
    if request.method == "POST" and "remove" in request.POST:
        if request.POST.get("confirm_remove"):
            services.dissociation_scale_remove(clinic=clinic, by=request.user)
            messages.success(request, _("The licensed scale was removed: observations ask only the global rating."))
        else:
            messages.error(request, _("Tick the box to confirm the removal."))
        return redirect("dosing:dissociation_scale")
    form = DissociationScaleForm(request.POST or None, instance=saved)
    if request.method == "POST" and form.is_valid():
        services.dissociation_scale_save(clinic=clinic, by=request.user, **form.cleaned_data)
        messages.success(request, _("Saved: every observation now asks for its total as well."))
        return redirect("dosing:dissociation_scale")
    audit_record(actor=request.user, action=AuditEvent.Action.VIEW, clinic=clinic, detail="dissociation scale")
    return render(request, "dosing/settings/dissociation_scale.html", {"form": form, "saved": saved})
