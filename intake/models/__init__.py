"""The chart and everything intake owns: questionnaire and medications, measures and safety alerts,
consent, vitals, assessment, treatment plan and the clinic's per-route protocol."""

from .assessment import Assessment, DoseUnit, Drug, Indication, Route, RouteProtocol, TreatmentPlan, VitalSigns
from .consent import ConsentDocument, ConsentSignature
from .measures import MeasureContext, MeasureResponse, SafetyAlert, ScreenerWording
from .patient import Patient, SexAtBirth, Stage
from .questionnaire import IntakeQuestionnaire, Medication

__all__ = [
    "Assessment",
    "ConsentDocument",
    "ConsentSignature",
    "DoseUnit",
    "Drug",
    "Indication",
    "IntakeQuestionnaire",
    "MeasureContext",
    "MeasureResponse",
    "Medication",
    "Patient",
    "Route",
    "RouteProtocol",
    "SafetyAlert",
    "ScreenerWording",
    "SexAtBirth",
    "Stage",
    "TreatmentPlan",
    "VitalSigns",
]
