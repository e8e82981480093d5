"""Safety alerts: the clinic's open alerts (and the ones recently closed), and acknowledging one with a note."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kap_clinic.access import Action, clinic_for_request, clinics_where, deny_as_not_found, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.services import audit_list_view
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import selectors
from ..access import patient_for_request
from ..forms.alerts import AlertAcknowledgeForm
from ..models import SafetyAlert
from ..services.safety import safety_alert_acknowledge


@role_required(User.Role.CLINICIAN)
def alert_list(request):
    """Open safety alerts of the user's clinics, newest first, and the ones acknowledged most recently."""
    clinics = list(clinics_where(request.user, Action.REVIEW_QUEUE))
    if not clinics:
        clinic_for_request(request, Action.REVIEW_QUEUE)  # 403, audited
    page, page_query = paginate(request, selectors.open_alerts(clinics))
    recent = list(selectors.recently_acknowledged_alerts(clinics))
    audit_list_view(actor=request.user, clinics=clinics, detail=f"safety alerts, page {page.number}")
    return render(
        request,
        "intake/alerts/list.html",
        {"page": page, "page_query": page_query, "recent": recent, "several_clinics": len(clinics) > 1},
    )


@login_required
@once_per_form
def alert_acknowledge(request, code, pk):
    """Close one of the patient's alerts with a note of what was done. The alert must be this patient's."""
    patient = patient_for_request(request, code, Action.REVIEW_INTAKE)
    alert = SafetyAlert.objects.select_related("measure", "acknowledged_by").filter(pk=pk, patient=patient).first()
    if alert is None:
        deny_as_not_found(request, f"safety alert {pk} of patient {code}", "No such alert.")
    form = AlertAcknowledgeForm(request.POST or None)
    context = {"patient": patient, "alert": alert, "form": form}
    if not alert.is_open:
        return render(request, "intake/alerts/acknowledge.html", context)

    def acknowledge(data):
        safety_alert_acknowledge(alert=alert, by=request.user, note=data["note"])
        return patient

    if write_once(request, form, acknowledge) is not None:
        messages.success(request, _("The alert is acknowledged and closed, with your note."))
        return redirect(patient)
    return render(request, "intake/alerts/acknowledge.html", context)
