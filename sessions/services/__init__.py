"""Every write of the app, one module per part (the controlled-substance ledger now, dosing sessions next;
a sent form writing once), re-exported here so that callers write `services.lot_receive(...)` whichever
module holds it."""

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

__all__ = [
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
