"""Small helpers shared by the ledger tests: services called with everyday values, and what the ledger's
forms send (each with a fresh submission token, as a form just shown carries)."""

import datetime
import uuid
from decimal import Decimal

from django.utils import timezone

from sessions import clinic_time, services
from tests.factories import PASSWORD, dea_number


def administer(lot, patient, mg, by, **kwargs):
    return services.ledger_administer(lot=lot, patient=patient, quantity_mg=Decimal(mg), administered_by=by, **kwargs)


def record_waste(lot, mg, by, **kwargs):
    return services.waste_record(
        lot=lot,
        quantity_mg=Decimal(mg),
        reason="Left in the vial after the dose",
        method="Drug disposal container",
        wasted_by=by,
        **kwargs,
    )


def dispose(lot, mg, by, **kwargs):
    """To a reverse distributor, unless `kwargs` say otherwise."""
    details = {
        "method": "reverse_distributor",
        "reverse_distributor_name": "Returns Co",
        "reverse_distributor_address": "9 Dock Road",
        "reverse_distributor_dea_number": "RC1234563",
    }
    return services.disposal_record(
        lot=lot, quantity_mg=Decimal(mg), disposed_on=clinic_time.clinic_today(lot.clinic), by=by, **(details | kwargs)
    )


def destroy_on_site(lot, mg, by, witness):
    return dispose(
        lot,
        mg,
        by,
        method="destroyed_on_site",
        destruction_method="Denaturing kit",
        location="Med room",
        witness_1=by,
        witness_2=witness,
    )


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


# --- what the forms send ---------------------------------------------------------------------------


def form_data(defaults: dict | None = None, /, **fields) -> dict:
    """What a ledger form sends: `defaults` with `fields` over them, and the submission token the form
    carries (a new one, as for a form just shown)."""
    return {"submission": str(uuid.uuid4()), **(defaults or {}), **fields}


def now_field(world) -> str:
    """Now, as a date-and-time field shows it in the clinic's time zone."""
    return f"{timezone.localtime(timezone=clinic_time.clinic_zone(world.clinic)):%Y-%m-%dT%H:%M}"


def receipt_post(world, **changes) -> dict:
    today = clinic_time.clinic_today(world.clinic)
    receipt = {
        "substance": "ketamine_hcl",
        "form": "vial",
        "product_name": "Ketamine HCl injection",
        "strength_mg": "100",
        "container_size": "10",
        "ndc": "99991-2051-05",
        "lot_number": "KV-1",
        "expires_on": (today + datetime.timedelta(days=300)).isoformat(),
        "containers": "5",
        "received_on": today.isoformat(),
        "supplier_name": "Casco Bay Medical Supply",
        "supplier_address": "88 Commercial Street",
        "supplier_dea_number": dea_number(),
        "invoice_number": "INV-1",
        "received_by": str(world.nurse.code),
        "note": "",
    }
    return form_data(receipt, **changes)


def dose_post(world, patient=None, **changes) -> dict:
    patient = patient or world.patient_a
    dose = {"patient": str(patient.code), "quantity": "35", "unit": "mg", "occurred_at": now_field(world), "note": ""}
    return form_data(dose, **changes)


def waste_post(world, **changes) -> dict:
    when = now_field(world)
    return form_data(
        {"quantity": "10", "unit": "mg", "reason": "Left over", "method": "Container", "occurred_at": when}, **changes
    )


def disposal_post(world, **changes) -> dict:
    disposal = {
        "quantity": "1000",
        "unit": "mg",
        "method": "destroyed_on_site",
        "disposed_on": clinic_time.clinic_today(world.clinic).isoformat(),
        "reverse_distributor_name": "",
        "reverse_distributor_address": "",
        "reverse_distributor_dea_number": "",
        "destruction_method": "Chemical denaturing kit",
        "location": "Medication room",
        "note": "",
    }
    return form_data(disposal, **changes)


def count_post(world, **changes) -> dict:
    """A count of the 1000 mg `lot` fixture, with the prescriber as the second counter."""
    count = {
        "quantity": "1000",
        "unit": "mg",
        "expected_mg": "1000",
        "second_email": world.prescriber.email,
        "second_password": PASSWORD,
        "explanation": "",
    }
    return form_data(count, **changes)


def witness_post(user) -> dict:
    return form_data(witness_email=user.email, witness_password=PASSWORD)
