"""The pre-dose check, its override and the administration of a dose (one of patient A's sessions):
prescribers and nurses of A's clinic run the session; only prescribers clear a check; everyone else —
therapists, admins, patients, another clinic's staff — is told it doesn't exist (404, as
`session_for_request` answers every refusal)."""

from tests.dosing.predose_helpers import cleared_session, make_session, record_check, vitals

from . import LOGIN, Rule, outcomes

_runs_session = outcomes(404, anonymous=LOGIN, prescriber=200, nurse=200)
_prescriber_only = outcomes(404, anonymous=LOGIN, prescriber=200)


def _scheduled(w):
    return {"code": make_session(w).code}


def _needs_review(w):
    session = make_session(w, status="checked_in")
    record_check(session, w.nurse, vitals_data=vitals(systolic=150, diastolic=92))
    return {"code": session.code}


def _cleared(w):
    return {"code": cleared_session(w).code}


RULES = {
    "dosing:predose_check": Rule(_runs_session, _scheduled),
    "dosing:predose_override": Rule(_prescriber_only, _needs_review),
    "dosing:administration_add": Rule(_runs_session, _cleared),
}
