from .patients import PatientInviteForm

__all__ = ["PatientInviteForm"]
