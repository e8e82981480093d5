"""Every write of the app, one module per part (the controlled-substance ledger; dosing sessions: the
pipeline, scheduling and discharge and notes, the pre-dose check and administration, observations),
re-exported here so that callers write `services.lot_receive(...)` whichever module holds it."""

from .ledger import (
    LOT_DETAILS,
    count_record,
    discrepancy_alert_send,
    discrepancy_explain,
    disposal_record,
    entry_correct,
    entry_net_change,
    inventory_take,
    ledger_administer,
    lot_receive,
    waste_record,
    waste_witness,
)
from .observation import adverse_event_record, observation_record
from .pipeline import session_set_status
from .predose import administration_record, predose_override, predose_record
from .sessions import (
    session_addendum_add,
    session_cancel,
    session_check_in,
    session_discharge,
    session_no_show,
    session_note_save,
    session_note_sign,
    session_schedule,
    session_transition,
)

__all__ = [
    "administration_record",
    "adverse_event_record",
    "observation_record",
    "predose_override",
    "predose_record",
    "session_addendum_add",
    "session_cancel",
    "session_check_in",
    "session_discharge",
    "session_no_show",
    "session_note_save",
    "session_note_sign",
    "session_schedule",
    "session_set_status",
    "session_transition",
    "LOT_DETAILS",
    "count_record",
    "discrepancy_alert_send",
    "discrepancy_explain",
    "disposal_record",
    "entry_correct",
    "entry_net_change",
    "inventory_take",
    "ledger_administer",
    "lot_receive",
    "waste_record",
    "waste_witness",
]
