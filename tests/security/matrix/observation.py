"""The observation timeline and the live board. The board is clinic-level: every clinician (prescriber,
therapist, nurse) sees their own clinic's board, another clinic's clinician theirs; admins and patients are
refused (403). Recording an observation or an adverse event is a patient-level step for the prescribers and
nurses of the patient's clinic (RUN_SESSION): everyone else, the patient included, is told the session
doesn't exist (404)."""

from . import LOGIN, Rule, outcomes

_board = Rule(outcomes(403, anonymous=LOGIN, clinicians=200, other_clinician=200))
_run_session = outcomes(404, anonymous=LOGIN, prescriber=200, nurse=200)


def _session_in_clinic(w):
    from tests.dosing.observation_helpers import make_session

    return {"code": make_session(w).code}


RULES = {
    "dosing:board": _board,
    "dosing:board_rows": _board,
    "dosing:observation_add": Rule(_run_session, _session_in_clinic),
    "dosing:adverse_event_add": Rule(_run_session, _session_in_clinic),
}
