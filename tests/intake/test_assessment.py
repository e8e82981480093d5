"""The assessment: any clinician drafts it, only a prescriber signs the eligibility decision, after a
confirmation page; an absolute contraindication needs an override reason; signed, it is locked."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from intake.models import Assessment, IntakeQuestionnaire, Patient, VitalSigns
from intake.services.assessment import assessment_save_draft, assessment_sign
from kap_clinic.audit.models import AuditEvent

from .review_helpers import eligible, submit_intake, vitals

pytestmark = pytest.mark.django_db


def url(patient) -> str:
    return reverse("intake:assessment_edit", args=[patient.code])


def post_data(client, patient, **fields) -> dict:
    """The assessment page's form as shown (with its token), filled with `fields` (prefix vitals- for vitals)."""
    form = client.get(url(patient)).context["form"]
    data = {
        "submission": str(form["submission"].value()),
        "evaluation": "Low mood for two years; two adequate SSRI trials without response.",
        "indication": "depression",
        "treatment_resistant": "yes",
        "vitals-systolic": "124",
        "vitals-diastolic": "80",
        "vitals-temperature_unit": "C",
        "vitals-weight": "72",
        "vitals-weight_unit": "kg",
    }
    return data | fields


# --- drafting -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse"])
def test_any_clinician_saves_a_draft_with_baseline_vitals_and_the_flags(world, client, persona):
    patient = world.patient_a
    submit_intake(patient, medical={"aneurysm_avm": "yes"})
    client.force_login(getattr(world, persona))

    response = client.post(url(patient), post_data(client, patient, action="save") | {"vitals-systolic": "185"})

    assert response.status_code == 302
    draft = Assessment.objects.get(patient=patient)
    assert not draft.is_signed
    assert draft.vitals.systolic == 185 and draft.vitals.context == VitalSigns.Context.BASELINE
    assert {"aneurysm_avm", "baseline_bp_above_180_100"} <= {flag["code"] for flag in draft.flags}
    assert draft.has_absolute_contraindication
    patient.refresh_from_db()
    assert patient.stage == Patient.Stage.ASSESSMENT
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="intake.Assessment").exists()


def test_saving_the_same_vitals_again_keeps_one_record(world, client):
    submit_intake(world.patient_a)
    client.force_login(world.nurse)
    client.post(url(world.patient_a), post_data(client, world.patient_a, action="save"))
    client.post(url(world.patient_a), post_data(client, world.patient_a, action="save", evaluation="more"))

    assert VitalSigns.objects.filter(patient=world.patient_a).count() == 1
    assert Assessment.objects.get(patient=world.patient_a).evaluation == "more"


def test_bad_vitals_are_refused_with_units_and_nothing_typed_is_lost(world, client):
    submit_intake(world.patient_a)
    client.force_login(world.nurse)

    response = client.post(
        url(world.patient_a),
        post_data(client, world.patient_a, action="save", evaluation="Kept text") | {"vitals-temperature": "98.6"},
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "looks like a Fahrenheit reading" in content
    assert "Kept text" in content
    assert not Assessment.objects.exists()


def test_the_assessment_waits_for_a_submitted_intake(world, client):
    client.force_login(world.prescriber)
    response = client.get(url(world.patient_a))
    assert response.status_code == 200
    assert "form" not in response.context
    with pytest.raises(ValidationError):
        assessment_save_draft(patient=world.patient_a, by=world.prescriber, evaluation="x")


# --- who signs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["therapist", "nurse"])
def test_only_a_prescriber_signs(world, client, persona):
    patient = world.patient_a
    submit_intake(patient)
    user = getattr(world, persona)
    client.force_login(user)

    page = client.get(url(patient)).content.decode()
    assert "Review and sign" not in page
    assert "Only a prescriber can decide and sign eligibility" in page
    response = client.post(url(patient), post_data(client, patient, action="confirm", decision="eligible"))

    assert response.status_code == 403
    assert "Only a prescriber can sign the eligibility decision" in response.content.decode()
    assert not Assessment.objects.filter(signed_at__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        assessment_sign(patient=patient, by=user, vitals=vitals(), indication="ptsd", decision="eligible")


def test_a_prescriber_signs_after_a_confirmation_page(world, client):
    patient = world.patient_a
    questionnaire = submit_intake(patient)
    client.force_login(world.prescriber)
    data = post_data(client, patient, decision="eligible")

    confirm = client.post(url(patient), data | {"action": "sign"})

    assert confirm.status_code == 200
    assert "Sign and lock" in confirm.content.decode()
    assert not Assessment.objects.exists()

    signed = client.post(url(patient), data | {"action": "confirm"})

    assert signed["Location"] == reverse("intake:plan_edit", args=[patient.code])
    assessment = Assessment.objects.get(patient=patient)
    assert assessment.is_signed and assessment.signed_by == world.prescriber
    assert assessment.decision == "eligible" and assessment.treatment_resistant is True
    questionnaire.refresh_from_db()
    patient.refresh_from_db()
    assert questionnaire.status == IntakeQuestionnaire.Status.REVIEWED
    assert patient.stage == Patient.Stage.ASSESSMENT  # until the plan is signed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN, patient_code=patient.code).count() == 1


def test_a_double_submitted_signature_signs_once(world, client):
    patient = world.patient_a
    submit_intake(patient)
    client.force_login(world.prescriber)
    data = post_data(client, patient, decision="eligible", action="confirm")

    first = client.post(url(patient), data)
    second = client.post(url(patient), data, follow=True)

    assert first.status_code == 302
    assert "This was already recorded." in second.content.decode()
    assert Assessment.objects.filter(patient=patient).count() == 1
    assert VitalSigns.objects.filter(patient=patient).count() == 1


def test_a_decision_is_required_to_sign(world, client):
    submit_intake(world.patient_a)
    client.force_login(world.prescriber)
    response = client.post(url(world.patient_a), post_data(client, world.patient_a, action="sign"))
    assert "Choose a decision" in response.content.decode()


def test_eligible_needs_a_baseline_blood_pressure(world):
    submit_intake(world.patient_a)
    with pytest.raises(ValidationError, match="baseline blood pressure"):
        assessment_sign(
            patient=world.patient_a, by=world.prescriber, evaluation="e", indication="ptsd", decision="eligible"
        )


# --- absolute contraindications -------------------------------------------------------------------


def test_an_absolute_contraindication_blocks_eligible_without_an_override(world, client):
    patient = world.patient_a
    submit_intake(patient, medical={"ketamine_allergy": "yes"})
    client.force_login(world.prescriber)

    response = client.post(url(patient), post_data(client, patient, action="sign", decision="eligible"))

    assert response.status_code == 200
    assert "written reason for overriding it" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        assessment_sign(
            patient=patient,
            by=world.prescriber,
            vitals=vitals(),
            evaluation="e",
            indication="ptsd",
            decision="eligible",
        )
    assert "override_reason" in refused.value.message_dict
    assert not Assessment.objects.filter(signed_at__isnull=False).exists()


def test_a_prescriber_overrides_an_absolute_contraindication_with_a_reason(world, client):
    patient = world.patient_a
    submit_intake(patient, medical={"stroke_ich": "yes"})
    client.force_login(world.prescriber)
    data = post_data(
        client, patient, decision="eligible", override_reason="Ischaemic TIA 2010, neurology cleared; no ICH."
    )

    confirm = client.post(url(patient), data | {"action": "sign"})
    assert "History of stroke or intracerebral hemorrhage" in confirm.content.decode()
    client.post(url(patient), data | {"action": "confirm"})

    assessment = Assessment.objects.get(patient=patient)
    assert assessment.is_signed and assessment.has_absolute_contraindication
    assert assessment.override_reason.startswith("Ischaemic TIA")


def test_baseline_blood_pressure_above_180_100_is_an_absolute_contraindication(world):
    submit_intake(world.patient_a)
    with pytest.raises(ValidationError, match="absolute contraindication"):
        assessment_sign(
            patient=world.patient_a,
            by=world.prescriber,
            vitals=vitals(systolic=186, diastolic=104),
            evaluation="e",
            indication="anxiety",
            decision="eligible",
        )


# --- not eligible, needs more information ---------------------------------------------------------


def test_not_eligible_needs_a_reason_and_shows_on_the_chart(world, client):
    patient = world.patient_a
    submit_intake(patient, psychiatric={"psychosis_history": "yes"})
    with pytest.raises(ValidationError, match="why the patient is not eligible"):
        assessment_sign(patient=patient, by=world.prescriber, decision="not_eligible")

    assessment_sign(
        patient=patient, by=world.prescriber, decision="not_eligible", decision_note="Active psychotic symptoms."
    )

    patient.refresh_from_db()
    assert patient.stage == Patient.Stage.NOT_ELIGIBLE
    client.force_login(world.therapist)
    chart = client.get(patient.get_absolute_url()).content.decode()
    assert "Not eligible" in chart and "Active psychotic symptoms." in chart


def test_needs_info_returns_the_intake_to_the_patient_with_the_message(world, django_capture_on_commit_callbacks):
    patient = world.patient_a
    questionnaire = submit_intake(patient)
    message = "Please add the dose of your blood-pressure medicine."
    with pytest.raises(ValidationError, match="message to the patient"):
        assessment_sign(patient=patient, by=world.prescriber, decision="needs_info")

    with django_capture_on_commit_callbacks(execute=True):
        assessment_sign(patient=patient, by=world.prescriber, decision="needs_info", decision_note=message)

    questionnaire.refresh_from_db()
    patient.refresh_from_db()
    assert questionnaire.status == IntakeQuestionnaire.Status.RETURNED
    assert questionnaire.return_message == message and questionnaire.returned_at
    assert questionnaire.is_editable
    assert patient.stage == Patient.Stage.INTAKE
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [patient.email]
    assert message not in mail.outbox[0].body  # the message itself is behind login


# --- locked once signed ---------------------------------------------------------------------------


def test_a_signed_assessment_is_locked_in_the_database(world):
    assessment = eligible(world.patient_a, world.prescriber)

    with pytest.raises(DatabaseError), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(evaluation="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        assessment.override_reason = "later"
        assessment.save()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_assessment SET decision = 'not_eligible' WHERE id = %s", [assessment.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_assessment WHERE id = %s", [assessment.pk])
    assessment.refresh_from_db()
    assert assessment.decision == "eligible" and assessment.evaluation != "changed"


def test_the_signed_assessment_is_shown_read_only(world, client):
    eligible(world.patient_a, world.prescriber)
    client.force_login(world.nurse)
    response = client.get(url(world.patient_a))
    assert "form" not in response.context
    assert "Latest signed assessment" in response.content.decode()


# --- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_clinician", "other_admin", "admin", "patient_b"])
def test_others_are_told_the_assessment_does_not_exist(world, client, persona):
    submit_intake(world.patient_a)
    user = world.patient_b.user if persona == "patient_b" else getattr(world, persona)
    client.force_login(user)

    assert client.get(url(world.patient_a)).status_code == 404
    assert client.post(url(world.patient_a), {"action": "save", "evaluation": "x"}).status_code == 404
    assert not Assessment.objects.exists()
