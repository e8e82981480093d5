"""The dashboards' patient pages: the course summary PDF, for patient A's care team and the clinic's admins.
Patients get 404 for it, their own included (the summary is the clinic's record); so does everyone outside
the clinic. (The homes and the audit log are in core.py.)"""

from . import LOGIN, Rule, outcomes

RULES = {
    "dashboards:course_summary_pdf": Rule(
        outcomes(404, anonymous=LOGIN, clinicians=200, admin=200),
        lambda w: {"code": w.patient_a.code},
    ),
}
