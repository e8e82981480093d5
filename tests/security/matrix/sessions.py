"""The dosing session lifecycle's pages (helper F): the session list is clinic-level (the clinic's
clinicians; admins and patients 403); the others are one session of patient A, through the access policy
(anyone outside the action's scope is told it doesn't exist: 404). A session's record is the care team's:
patients see their next session on their home page, not the record. Running a session (check-in,
discharge) is for nurses and prescribers; notes for clinicians, each note for its own kind of author;
scheduling for clinicians and admins; reading (the record, the REMS summary) for the care team and admins."""

from sessions.services import sessions as services
from tests.dosing.session_helpers import book, discharged, session_in_observation, signed, signed_plan

from . import LOGIN, Rule, outcomes

_runs = outcomes(404, anonymous=LOGIN, prescriber=200, nurse=200)
_reads = outcomes(404, anonymous=LOGIN, clinicians=200, admin=200)


def _planned(w):
    signed_plan(w.patient_a, w.prescriber)
    return {"code": w.patient_a.code}


def _booked(w):
    return {"code": book(w).code}


def _check_in(w):
    return {"code": book(w).code, "to": "checked_in"}


def _observing(w):
    return {"code": session_in_observation(w).code}


def _monitoring_note(w):
    return {"code": session_in_observation(w).code, "kind": "monitoring"}


def _monitoring_note_to_sign(w):
    session = discharged(w)
    services.session_note_save(session=session, kind="monitoring", body="Uneventful.", by=w.nurse)
    return {"code": session.code, "kind": "monitoring"}


def _signed(w):
    return {"code": signed(w).code}


def _esketamine(w):
    return {"code": session_in_observation(w, drug="esketamine", mg=56).code}


RULES = {
    "dosing:session_list": Rule(outcomes(403, anonymous=LOGIN, clinicians=200, other_clinician=200)),
    "dosing:session_schedule": Rule(_reads, _planned),
    "dosing:session_detail": Rule(_reads, _booked),
    "dosing:session_transition": Rule(_runs, _check_in),
    "dosing:session_discharge": Rule(_runs, _observing),
    "dosing:session_note": Rule(_runs, _monitoring_note),
    "dosing:session_note_sign": Rule(_runs, _monitoring_note_to_sign),
    "dosing:session_addendum": Rule(outcomes(404, anonymous=LOGIN, clinicians=200), _signed),
    "dosing:session_rems": Rule(_reads, _esketamine),
}
