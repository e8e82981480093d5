from django.db import transaction
from django.utils import timezone

from kap_clinic.audit.models import AuditEvent
from kap_clinic.audit.services import audit_record
from kap_clinic.instruments import instrument as get_instrument
from kap_clinic.instruments import score
from kap_clinic.instruments.scoring import validate_answers

from ..models import MeasureResponse, Patient
from .safety import safety_alerts_for_score


@transaction.atomic
def measure_record(
    *,
    patient: Patient,
    instrument: str,
    answers: dict,
    by,
    context: str = MeasureResponse.Context.BASELINE,
    index_event: str = "",
    completed_at=None,
) -> MeasureResponse:
    """Score and store one completed questionnaire (final: never updated), and open the safety alerts
    it calls for (PHQ-9 item 9 ≥ 1, a moderate or high risk screen). Raises ValidationError on an
    incomplete or out-of-range answer."""
    definition = get_instrument(instrument)
    result = score(definition, answers, pcl5_cutoff=patient.clinic.pcl5_cutoff)
    clean = validate_answers(definition, answers)  # only the answers the instrument asks (C-SSRS skip logic)
    response = MeasureResponse.objects.create(
        patient=patient,
        instrument=definition.key,
        version=definition.version,
        answers=clean,
        total=result.total,
        band=result.band,
        subscores=result.subscores,
        flags=result.flags,
        risk=result.risk,
        index_event=index_event.strip(),
        loinc=definition.loinc_total,
        context=context,
        completed_at=completed_at or timezone.now(),
        entered_by=by,
    )
    audit_record(actor=by, action=AuditEvent.Action.CREATE, patient=patient, obj=response, detail=definition.key)
    safety_alerts_for_score(patient=patient, result=result, measure=response)
    return response
