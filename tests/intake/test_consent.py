"""Consent: admins draft and publish versions (frozen once published); patients read, sign (typed
name and an explicit tick), view and download what they signed; a new version needs signing again."""

import hashlib
import html

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import InternalError
from django.urls import reverse

from intake.consent_text import DEFAULT_BODY, DEFAULT_TITLE
from intake.models import ConsentDocument, ConsentSignature
from intake.services import consent as services
from kap_clinic.audit.models import AuditEvent
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

SIGN_URL = reverse("intake:consent_sign")


def publish(clinic, by, *, title=None, body=None):
    """A new version through the services: drafted, given `title`/`body` if told, published."""
    document = services.consent_document_create(clinic=clinic, by=by)
    if title is not None or body is not None:
        document = services.consent_document_update(
            document=document, title=title or document.title, body=body or document.body, by=by
        )
    return services.consent_document_publish(document=document, by=by)


def sign(patient, document, **overrides):
    details = {
        "patient": patient,
        "document": document,
        "typed_name": patient.legal_name,
        "agreed": True,
        "ip": "198.51.100.7",
        "user_agent": "pytest",
        "by": patient.user,
    } | overrides
    return services.consent_sign(**details)


def text(response) -> str:
    """The page as a reader sees it (HTML entities decoded)."""
    return html.unescape(response.content.decode())


def sign_form(document, typed_name, *, agreed=True) -> dict:
    data = {"version": document.version, "text_sha256": document.text_sha256, "typed_name": typed_name}
    if agreed:
        data["agreed"] = "on"
    return data


# --- versions ------------------------------------------------------------------------------------


def test_first_version_starts_from_the_template_marked_for_review(world):
    document = services.consent_document_create(clinic=world.clinic, by=world.admin)

    assert document.version == 1 and not document.is_published
    assert document.title == str(DEFAULT_TITLE)
    assert document.body == str(DEFAULT_BODY)
    assert document.body.startswith("[TEMPLATE — YOUR CLINIC MUST REVIEW")


@pytest.mark.parametrize(
    "element",
    [
        "off-label",  # 1 nature of treatment
        "Schedule III",
        "blood pressure, heart rate and oxygen",  # 2 route, procedure, monitoring
        "dissociation",  # 3 expected effects
        "Bladder damage",  # 4 risks
        "how we screen you",  # 5 contraindications and screening
        "electroconvulsive therapy",  # 6 alternatives
        "must not drive",  # 7 preparation, driving, escort
        "withdraw your consent",  # 8 right to withdraw
        "Supportive touch",  # 9 KAP-specific
        "pregnancy",  # 10
        "cancellation",  # 11 fees
    ],
)
def test_template_covers_each_consent_element(element):
    assert element in str(DEFAULT_BODY)


def test_a_new_version_is_numbered_next_and_starts_from_the_latest_text(world):
    publish(world.clinic, world.admin, title="Our consent", body="Version one text.")

    draft = services.consent_document_create(clinic=world.clinic, by=world.admin)

    assert (draft.version, draft.title, draft.body) == (2, "Our consent", "Version one text.")


def test_one_draft_at_a_time(world):
    services.consent_document_create(clinic=world.clinic, by=world.admin)

    with pytest.raises(ValidationError, match="still a draft"):
        services.consent_document_create(clinic=world.clinic, by=world.admin)


def test_version_numbers_are_per_clinic(world):
    publish(world.clinic, world.admin)
    publish(world.clinic, world.admin)

    other = services.consent_document_create(clinic=world.other_clinic, by=world.other_admin)

    assert other.version == 1


def test_publishing_v2_makes_a_v1_signature_outdated(world):
    v1 = publish(world.clinic, world.admin)
    sign(world.patient_a, v1)
    assert services.consent_is_current(world.patient_a)

    v2 = publish(world.clinic, world.admin, body="Changed text.")

    assert services.consent_current_document(world.clinic) == v2
    assert not services.consent_is_current(world.patient_a)
    assert services.consent_status(world.patient_a).state == "outdated"


def test_nobody_is_current_while_no_version_is_published(world):
    services.consent_document_create(clinic=world.clinic, by=world.admin)  # a draft only

    assert services.consent_current_document(world.clinic) is None
    assert not services.consent_is_current(world.patient_a)
    assert services.consent_status(world.patient_a).state == "none_published"


def test_writes_are_audited(world):
    document = services.consent_document_create(clinic=world.clinic, by=world.admin)
    services.consent_document_update(document=document, title="T", body="B", by=world.admin)
    services.consent_document_publish(document=document, by=world.admin)
    sign(world.patient_a, document)

    actions = list(AuditEvent.objects.filter(object_type__startswith="intake.Consent").values_list("action", flat=True))
    assert sorted(actions) == sorted(["create", "update", "publish", "sign"])


# --- published versions are frozen ---------------------------------------------------------------


def test_a_published_version_cant_be_changed_through_the_service(world):
    document = publish(world.clinic, world.admin)

    with pytest.raises(ValidationError, match="published and can't be changed"):
        services.consent_document_update(document=document, title="New", body="New", by=world.admin)


def test_the_database_refuses_to_change_or_delete_a_published_version(world):
    document = publish(world.clinic, world.admin)

    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_consentdocument SET body = 'tampered' WHERE id = %s", [document.pk])
    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM intake_consentdocument WHERE id = %s", [document.pk])

    document.refresh_from_db()
    assert document.body != "tampered"


def test_the_database_refuses_to_change_a_signature(world):
    signature = sign(world.patient_a, publish(world.clinic, world.admin))

    with pytest.raises(InternalError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE intake_consentsignature SET typed_name = 'x' WHERE id = %s", [signature.pk])


def test_a_draft_can_still_be_changed_in_the_database(world):
    document = services.consent_document_create(clinic=world.clinic, by=world.admin)

    ConsentDocument.objects.filter(pk=document.pk).update(body="edited")

    document.refresh_from_db()
    assert document.body == "edited"


# --- signing -------------------------------------------------------------------------------------


def test_signature_stores_the_hash_of_exactly_the_text_shown(world):
    document = publish(world.clinic, world.admin, title="Consent — KAP", body="Line one.\n\nLine twö.")

    signature = sign(world.patient_a, document)

    expected = hashlib.sha256("Consent — KAP\n\nLine one.\n\nLine twö.".encode()).hexdigest()
    assert signature.text_sha256 == expected == document.text_sha256
    assert (signature.ip, signature.user_agent, signature.agreed) == ("198.51.100.7", "pytest", True)
    assert signature.signed_by == world.patient_a.user


def test_typed_name_ignores_case_and_extra_spaces(world):
    world.patient_a.legal_name = "Mary Ann Smith"
    world.patient_a.save()

    signature = sign(world.patient_a, publish(world.clinic, world.admin), typed_name="  mary   ann SMITH ")

    assert signature.typed_name == "mary ann SMITH"


def test_signing_anything_but_the_current_version_is_refused(world):
    v1 = publish(world.clinic, world.admin)
    publish(world.clinic, world.admin)

    with pytest.raises(ValidationError, match="new version"):
        sign(world.patient_a, v1)


def test_signing_for_someone_else_is_refused(world):
    document = publish(world.clinic, world.admin)

    with pytest.raises(ValidationError, match="Only the patient"):
        sign(world.patient_a, document, by=world.prescriber)


def test_patient_reads_and_signs_on_the_page(world, login):
    document = publish(world.clinic, world.admin, title="Our consent", body="Please read <this>.")
    client = login(world.patient_a.user)

    page = client.get(SIGN_URL)
    assert "Our consent" in text(page) and "Please read &lt;this&gt;." in page.content.decode()
    assert "I have read and understood" in text(page)

    response = client.post(SIGN_URL, sign_form(document, world.patient_a.legal_name), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    assert response["Location"] == reverse("intake:consent_signed", args=[1])
    signature = ConsentSignature.objects.get(patient=world.patient_a)
    assert signature.ip == "203.0.113.9"
    confirmation = client.get(response["Location"])
    content = text(confirmation)
    assert "you signed version 1" in content
    assert signature.text_sha256 in content
    assert reverse("intake:consent_download_own", args=[1]) in content


def test_typed_name_mismatch_is_explained(world, login):
    document = publish(world.clinic, world.admin)
    client = login(world.patient_a.user)

    response = client.post(SIGN_URL, sign_form(document, "Somebody Else"))

    assert response.status_code == 200
    form = response.context["form"]
    assert "doesn't match the legal name on your chart" in form.errors["typed_name"][0]
    assert world.patient_a.legal_name in form.errors["typed_name"][0]
    assert not ConsentSignature.objects.exists()


def test_unticked_box_is_refused_and_the_typed_name_kept(world, login):
    document = publish(world.clinic, world.admin)
    client = login(world.patient_a.user)

    response = client.post(SIGN_URL, sign_form(document, world.patient_a.legal_name, agreed=False))

    assert response.status_code == 200
    assert "tick the box" in response.context["form"].errors["agreed"][0]
    assert f'value="{world.patient_a.legal_name}"' in text(response)
    assert not ConsentSignature.objects.exists()


def test_double_submit_records_one_signature(world, login):
    document = publish(world.clinic, world.admin)
    client = login(world.patient_a.user)
    data = sign_form(document, world.patient_a.legal_name)

    first = client.post(SIGN_URL, data)
    second = client.post(SIGN_URL, data)

    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert ConsentSignature.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN).count() == 1
    assert sign(world.patient_a, document) == ConsentSignature.objects.get()  # the service too


def test_a_version_published_while_reading_must_be_read_first(world, login):
    v1 = publish(world.clinic, world.admin)
    client = login(world.patient_a.user)
    client.get(SIGN_URL)
    publish(world.clinic, world.admin, body="A changed text.")

    response = client.post(SIGN_URL, sign_form(v1, world.patient_a.legal_name), follow=True)

    assert not ConsentSignature.objects.exists()
    content = text(response)
    assert "A changed text." in content
    assert "published a new version" in content
    assert response.context["form"].initial["version"] == 2


def test_sign_page_before_anything_is_published(world, login):
    response = login(world.patient_a.user).get(SIGN_URL)

    assert "hasn't published its consent document yet" in text(response)
    assert response.context["form"] is None


def test_sign_page_shows_an_already_signed_version_as_signed(world, login):
    document = publish(world.clinic, world.admin)
    sign(world.patient_a, document)

    response = login(world.patient_a.user).get(SIGN_URL)

    assert response.context["form"] is None
    assert "You signed the current consent (version 1)" in text(response)


def test_sign_page_asks_to_sign_a_new_version(world, login):
    sign(world.patient_a, publish(world.clinic, world.admin))
    publish(world.clinic, world.admin)

    response = login(world.patient_a.user).get(SIGN_URL)

    assert "published a new version of its consent (version 2; you signed version 1)" in text(response)
    assert response.context["form"] is not None


# --- downloads -----------------------------------------------------------------------------------


def test_download_holds_the_exact_text_and_the_signature_block(world, login):
    world.clinic.time_zone = "America/Los_Angeles"
    world.clinic.save()
    document = publish(world.clinic, world.admin, title="Consent", body="Para one.\n\nPara two.")
    signature = sign(world.patient_a, document)

    response = login(world.patient_a.user).get(reverse("intake:consent_download_own", args=[1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="consent-v1-signed-')
    content = response.content.decode()
    signed_text, block = content.split("\n\n" + "-" * 72 + "\n")
    assert signed_text == "Consent\n\nPara one.\n\nPara two."
    assert hashlib.sha256(signed_text.encode()).hexdigest() == signature.text_sha256
    assert f"Typed name: {world.patient_a.legal_name}" in block
    assert "America/Los_Angeles" in block and "UTC" in block
    assert "IP address: 198.51.100.7" in block
    assert signature.text_sha256 in block
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, patient_code=world.patient_a.code).exists()


@pytest.mark.parametrize("persona", ["prescriber", "therapist", "nurse", "admin"])
def test_care_team_downloads_a_patients_signature(world, login, persona):
    sign(world.patient_a, publish(world.clinic, world.admin))

    response = login(getattr(world, persona)).get(reverse("intake:consent_download", args=[world.patient_a.code, 1]))

    assert response.status_code == 200
    assert world.patient_a.legal_name in text(response)


def test_download_of_an_unsigned_version_is_404(world, login):
    publish(world.clinic, world.admin)

    response = login(world.prescriber).get(reverse("intake:consent_download", args=[world.patient_a.code, 1]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["other_clinician", "other_admin", "patient_b"])
def test_outsiders_cant_download_a_patients_signature(world, login, persona):
    sign(world.patient_a, publish(world.clinic, world.admin))
    user = getattr(world, persona)
    user = getattr(user, "user", user)

    response = login(user).get(reverse("intake:consent_download", args=[world.patient_a.code, 1]))

    assert response.status_code == 404


def test_another_patient_cant_download_or_view_a_signature_that_isnt_theirs(world, login):
    sign(world.patient_a, publish(world.clinic, world.admin))
    client = login(world.patient_b.user)

    assert client.get(reverse("intake:consent_download_own", args=[1])).status_code == 404
    assert client.get(reverse("intake:consent_signed", args=[1])).status_code == 404


def test_a_patient_of_another_clinic_sees_their_own_clinics_version(world, login):
    sign(world.patient_a, publish(world.clinic, world.admin, title="Clinic A consent"))
    other_doc = publish(world.other_clinic, world.other_admin, title="Clinic B consent")
    sign(world.other_patient, other_doc)

    response = login(world.other_patient.user).get(reverse("intake:consent_signed", args=[1]))

    assert "Clinic B consent" in text(response)
    assert "Clinic A consent" not in text(response)


# --- the admin pages -----------------------------------------------------------------------------


def test_admin_creates_edits_and_publishes_through_the_pages(world, login):
    client = login(world.admin)
    assert "No consent document yet" in text(client.get(reverse("intake:consent_documents")))

    created = client.post(reverse("intake:consent_create"))
    assert created["Location"] == reverse("intake:consent_document", args=[1])
    page = text(client.get(created["Location"]))
    assert "This is still the template text." in page

    saved = client.post(created["Location"], {"title": "Our consent", "body": "Our reviewed text."})
    assert saved.status_code == 302
    confirm = text(client.get(reverse("intake:consent_publish", args=[1])))
    assert "Once published, this text can't be changed" in confirm
    assert "Our reviewed text." in confirm

    published = client.post(reverse("intake:consent_publish", args=[1]))

    assert published["Location"] == reverse("intake:consent_document", args=[1])
    document = ConsentDocument.objects.get(clinic=world.clinic)
    assert document.is_published and document.published_by == world.admin
    assert (document.title, document.body) == ("Our consent", "Our reviewed text.")


def test_publish_confirmation_says_patients_must_sign_again(world, login):
    sign(world.patient_a, publish(world.clinic, world.admin))
    services.consent_document_create(clinic=world.clinic, by=world.admin)

    confirm = text(login(world.admin).get(reverse("intake:consent_publish", args=[2])))

    assert "It replaces version 1" in confirm
    assert "will be asked to sign this one before their next dose" in confirm


def test_editing_a_published_version_on_the_page_is_refused_and_the_text_kept(world, login):
    document = publish(world.clinic, world.admin, body="Original text.")

    response = login(world.admin).post(
        reverse("intake:consent_document", args=[1]), {"title": "X", "body": "My careful edit."}
    )

    assert response.status_code == 200
    assert "can't be changed" in text(response)
    assert "My careful edit." in text(response)  # nothing typed is lost
    document.refresh_from_db()
    assert document.body == "Original text."


def test_published_version_page_has_no_edit_form(world, login):
    publish(world.clinic, world.admin)

    response = login(world.admin).get(reverse("intake:consent_document", args=[1]))

    assert response.context["form"] is None
    assert "Published · current" in text(response)


def test_list_shows_status_and_signature_counts(world, login):
    v1 = publish(world.clinic, world.admin)
    sign(world.patient_a, v1)
    sign(world.patient_b, v1)
    services.consent_document_create(clinic=world.clinic, by=world.admin)

    response = login(world.admin).get(reverse("intake:consent_documents"))

    rows = {d.version: (d.is_published, d.signature_count) for d in response.context["page"]}
    assert rows == {1: (True, 2), 2: (False, 0)}
    assert "Continue the draft (version 2)" in text(response)


def test_double_click_on_new_version_starts_one_draft(world, login):
    client = login(world.admin)

    client.post(reverse("intake:consent_create"))
    second = client.post(reverse("intake:consent_create"))

    assert second["Location"] == reverse("intake:consent_document", args=[1])
    assert ConsentDocument.objects.filter(clinic=world.clinic).count() == 1


def test_publishing_twice_publishes_once(world, login):
    services.consent_document_create(clinic=world.clinic, by=world.admin)
    client = login(world.admin)

    client.post(reverse("intake:consent_publish", args=[1]))
    second = client.post(reverse("intake:consent_publish", args=[1]))

    assert second.status_code == 302
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PUBLISH).count() == 1


def test_another_clinics_admin_gets_their_own_version_or_404(world, login):
    publish(world.clinic, world.admin, title="Clinic A consent")
    client = login(world.other_admin)

    assert client.get(reverse("intake:consent_document", args=[1])).status_code == 404
    assert client.post(reverse("intake:consent_publish", args=[1])).status_code == 404

    publish(world.other_clinic, world.other_admin, title="Clinic B consent")
    response = client.get(reverse("intake:consent_document", args=[1]))
    assert "Clinic B consent" in text(response)
    assert "Clinic A consent" not in text(response)


@pytest.mark.parametrize("persona", ["prescriber", "nurse", "therapist"])
def test_clinicians_cant_manage_consent(world, login, persona):
    client = login(getattr(world, persona))

    assert client.get(reverse("intake:consent_documents")).status_code == 403
    assert client.post(reverse("intake:consent_create")).status_code == 403
    assert not ConsentDocument.objects.exists()


# --- the includes --------------------------------------------------------------------------------


def render_include(name, patient):
    from django.template.loader import render_to_string

    return html.unescape(render_to_string(f"intake/consent/{name}", {"patient": patient}))


def test_patient_home_card_follows_the_state(world):
    assert "hasn't published" in render_include("_patient_home.html", world.patient_a)
    v1 = publish(world.clinic, world.admin)
    assert "Not signed yet" in render_include("_patient_home.html", world.patient_a)
    sign(world.patient_a, v1)
    assert "Signed: version 1" in render_include("_patient_home.html", world.patient_a)
    publish(world.clinic, world.admin)
    assert "new version of its consent (version 2)" in render_include("_patient_home.html", world.patient_a)


def test_chart_section_lists_signatures_current_or_outdated(world):
    sign(world.patient_a, publish(world.clinic, world.admin))
    v2 = publish(world.clinic, world.admin)
    html = render_include("_chart_section.html", world.patient_a)
    assert "Re-consent needed" in html and "outdated" in html

    sign(world.patient_a, v2)
    html = render_include("_chart_section.html", world.patient_a)

    assert "Signed version 2 (the current one)" in html
    for version in (1, 2):
        assert reverse("intake:consent_download", args=[world.patient_a.code, version]) in html


def test_patient_without_a_chart_is_told_so(world, login):
    from tests.factories import PatientUserFactory

    response = login(PatientUserFactory()).get(SIGN_URL)

    assert response.status_code == 404
    assert "No chart yet" in text(response)


def test_signing_is_unaffected_by_other_patients(world):
    document = publish(world.clinic, world.admin)
    sign(world.patient_a, document)
    newcomer = PatientFactory(clinic=world.clinic)

    assert not services.consent_is_current(newcomer)
    assert services.consent_status(newcomer).state == "unsigned"


def test_a_made_up_version_number_signs_nothing(world, login):
    document = publish(world.clinic, world.admin)
    data = sign_form(document, world.patient_a.legal_name) | {"version": 99, "text_sha256": ""}

    response = login(world.patient_a.user).post(SIGN_URL, data, follow=True)

    assert not ConsentSignature.objects.exists()
    assert response.context["form"].initial["version"] == 1
