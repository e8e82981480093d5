"""The app's forms, one module per part, re-exported here: `from sessions.forms import ReceiveForm`."""

from .base import ColleagueMixin, LedgerForm, QuantityMixin
from .ledger import (
    AdministerForm,
    CorrectionForm,
    CountForm,
    DateRangeForm,
    DisposalForm,
    ExplainForm,
    InventoryForm,
    ReceiveForm,
    WasteForm,
    WitnessForm,
)

__all__ = [
    "AdministerForm",
    "ColleagueMixin",
    "CorrectionForm",
    "CountForm",
    "DateRangeForm",
    "DisposalForm",
    "ExplainForm",
    "InventoryForm",
    "LedgerForm",
    "QuantityMixin",
    "ReceiveForm",
    "WasteForm",
    "WitnessForm",
]
