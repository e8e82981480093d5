"""Integration sessions and the course outcome (helper G). The worklist is clinic-level: the clinic's
clinicians and admins (those who list its patients and may book integration sessions; another clinic's
staff see their own clinic's list); patients 403. The rest are one of patient A's records, through the
access policy (anyone outside the action's scope is told it doesn't exist: 404). A session's record is the
care team's and the admins' (VIEW_CHART; patients see their next session on their home page); booking and
cancelling are for clinicians and admins; the note, signing and addenda for therapists and prescribers
(the note and signing: the session's own therapist, here the world's, or a prescriber); the course
outcome for prescribers."""

from integration.services import sessions as services
from tests.integration.sessions_helpers import book, complete_note, dose, held, signed

from . import LOGIN, Rule, outcomes

_books = outcomes(404, anonymous=LOGIN, clinicians=200, admin=200)
_writes = outcomes(404, anonymous=LOGIN, prescriber=200, therapist=200)


def _patient(w):
    dose(w)
    return {"code": w.patient_a.code}


def _booked(w):
    return {"code": book(w, after=dose(w)).code}


def _held(w):
    return {"code": held(w).code}


def _drafted(w):
    session = held(w)
    services.integration_note_save(session=session, fields=complete_note(), by=w.therapist)
    return {"code": session.code}


def _signed(w):
    return {"code": signed(w).code}


RULES = {
    "integration:landing": Rule(outcomes(403, anonymous=LOGIN, staff=200, others=200)),
    "integration:session_schedule": Rule(_books, _patient),
    "integration:session_detail": Rule(outcomes(404, anonymous=LOGIN, clinicians=200), _booked),  # care team only
    "integration:session_cancel": Rule(_books, _booked),
    "integration:session_note": Rule(_writes, _held),
    "integration:session_sign": Rule(_writes, _drafted),
    "integration:session_addendum": Rule(_writes, _signed),
    "integration:course_outcome": Rule(outcomes(404, anonymous=LOGIN, prescriber=200), _patient),
}
