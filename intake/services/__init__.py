"""Intake's writes, one module per area; each function is a transaction that checks its preconditions
and audits."""

from .measures import measure_record
from .patients import patient_invite, patient_set_stage
from .safety import safety_alert_acknowledge, safety_alert_open

__all__ = ["measure_record", "patient_invite", "patient_set_stage", "safety_alert_acknowledge", "safety_alert_open"]
