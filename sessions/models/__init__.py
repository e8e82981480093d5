"""Dosing sessions, the controlled-substance ledger, and the sent forms that wrote to it.

One module per part of the app, each re-exported here, so `from sessions.models import Lot` works
whichever module holds the model.
"""

from .dosing import (
    Addendum,
    Administration,
    AdverseEvent,
    Discharge,
    DosingSession,
    ObservationEntry,
    PreDoseCheck,
    SessionNote,
    StatusChange,
)
from .ledger import (
    CORRECTABLE_KINDS,
    EITHER_WAY_KINDS,
    INFLOW_KINDS,
    MG,
    OUTFLOW_KINDS,
    Count,
    DiscrepancyExplanation,
    Disposal,
    DisposalMethod,
    EntryKind,
    Inventory,
    InventoryKind,
    InventoryLine,
    InventoryTiming,
    LedgerEntry,
    Lot,
    Receipt,
    Waste,
    WasteWitness,
)

__all__ = [
    "Addendum",
    "Administration",
    "AdverseEvent",
    "Discharge",
    "DosingSession",
    "ObservationEntry",
    "PreDoseCheck",
    "SessionNote",
    "StatusChange",
    "CORRECTABLE_KINDS",
    "EITHER_WAY_KINDS",
    "INFLOW_KINDS",
    "MG",
    "OUTFLOW_KINDS",
    "Count",
    "DiscrepancyExplanation",
    "Disposal",
    "DisposalMethod",
    "EntryKind",
    "Inventory",
    "InventoryKind",
    "InventoryLine",
    "InventoryTiming",
    "LedgerEntry",
    "Lot",
    "Receipt",
    "Waste",
    "WasteWitness",
]
