"""Follow-up measures: the patient fills in what is due (the reminder's link), clinicians see what is overdue,
and anyone who may read the chart sees progress against baseline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from intake.access import audited_patient, patient_for_request
from intake.models import MeasureResponse
from kap_clinic.access import Action, can, clinic_for_request, clinics_where, deny_as_not_found, role_required
from kap_clinic.accounts.models import User
from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_list_view
from kap_clinic.instruments import INSTRUMENTS
from kap_clinic.instruments.scoring import SAFETY_FLAGS
from kap_clinic.pagination import paginate
from kap_clinic.submissions.decorators import once_per_form, write_once

from .. import schedule
from ..forms.measures import TITLES, MeasureSubmitForm, measure_form
from ..models import MeasureDue
from ..progress import progress_for
from ..progress_rules import PROGRESS_RULES
from ..services.measures import measure_due_complete

SAFETY_KEY = "integration_measure_safety"


def _baseline_index_event(patient) -> str:
    """The event the baseline PCL-5 was about (the follow-up asks about the same one)."""
    baseline = (
        MeasureResponse.objects.filter(patient=patient, instrument="pcl5", context=MeasureResponse.Context.BASELINE)
        .exclude(index_event="")
        .order_by("completed_at", "pk")
        .values_list("index_event", flat=True)
        .first()
    )
    return baseline or ""


@role_required(User.Role.PATIENT)
@once_per_form
def measure_take(request, code):
    """One due follow-up questionnaire of the logged-in patient (the reminder's link), shown with the others of
    its time point; a sent one goes on to the next still open. Another patient's code answers as a missing one."""
    item = MeasureDue.objects.select_related("patient__clinic", "completed_by").filter(code=code).first()
    if item is None or not can(request.user, Action.JOURNAL, patient=item.patient):
        deny_as_not_found(request, f"follow-up measure {code}", _("No such questionnaire."))
    patient = audited_patient(request, item.patient, Action.JOURNAL, audit_action=AuditEvent.Action.VIEW, obj=item)
    group = schedule.grouped(
        MeasureDue.objects.filter(patient=patient, time_point=item.time_point).select_related("completed_by")
    )[0]
    for other in group.items:
        other.title = TITLES.get(other.instrument, other.instrument)
    following = next((other for other in group.items if not other.is_completed and other.pk != item.pk), None)
    context = {
        "patient": patient,
        "item": item,
        "group": group,
        "done_count": sum(1 for other in group.items if other.is_completed),
        "following": following,
        "instrument": INSTRUMENTS[item.instrument],
        "title": TITLES.get(item.instrument, item.instrument),
        "safety_notice": bool(request.session.pop(SAFETY_KEY, False)),
    }
    if item.is_completed:
        return render(request, "integration/measures/take.html", context)

    index_event = _baseline_index_event(patient) if item.instrument == "pcl5" else ""
    form = measure_form(item.instrument, request.POST or None, patient=patient)
    token_form = MeasureSubmitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = write_once(
            request,
            token_form,
            lambda _data: measure_due_complete(
                due=item, answers=form.answers(), by=request.user, index_event=index_event
            ),
        )
        if done is not None:
            if set(done.completed_by.flags) & SAFETY_FLAGS:
                request.session[SAFETY_KEY] = True
            if following is not None:
                messages.success(
                    request,
                    _("Thank you, that one is saved. Next: %(name)s.")
                    % {"name": TITLES.get(following.instrument, following.instrument)},
                )
                return redirect(following)
            messages.success(request, _("Thank you, your answers are saved and your care team can see them."))
            return redirect(done)
        item.refresh_from_db()
        if item.is_completed:  # sent from another tab a moment ago
            messages.info(request, _("You have already completed this questionnaire."))
            return redirect(item)
    elif request.method == "POST":
        messages.error(request, _("Some answers need another look: see the notes below. What you chose is kept."))
    context |= {"form": form, "token_form": token_form, "index_event": index_event}
    return render(request, "integration/measures/take.html", context)


@role_required(User.Role.CLINICIAN)
def measures_overdue(request):
    """Open follow-up measures of the user's clinics past their due date, oldest first, with days overdue."""
    clinics = list(clinics_where(request.user, Action.REVIEW_QUEUE))
    if not clinics:
        clinic_for_request(request, Action.REVIEW_QUEUE)  # 403, audited
    todays = schedule.clinic_todays(clinics)
    page, page_query = paginate(request, schedule.overdue_measures(clinics, todays))
    items = schedule.with_days_overdue(page.object_list, todays)
    for item in items:
        item.label = schedule.time_point_label(item.time_point)
        item.instrument_name = schedule.instrument_name(item.instrument)
    audit_list_view(actor=request.user, clinics=clinics, detail=f"overdue follow-up measures, page {page.number}")
    return render(
        request,
        "integration/measures/overdue.html",
        {"page": page, "items": items, "page_query": page_query, "several_clinics": len(clinics) > 1},
    )


@login_required
def progress(request, code):
    """Every repeat PHQ-9, GAD-7 and PCL-5 against the patient's baseline, with response, remission and
    meaningful change (domain.md §7.3). The care team's page; the patient may read their own."""
    patient = patient_for_request(request, code, Action.VIEW_CHART)
    return render(
        request,
        "integration/measures/progress.html",
        {
            "patient": patient,
            "progress": progress_for(patient),
            "rules": [PROGRESS_RULES[key] for key in PROGRESS_RULES],
            "own": request.user.is_patient,
        },
    )
