from django.shortcuts import render

from kap_clinic.access import role_required
from kap_clinic.accounts.models import User


@role_required(User.Role.CLINICIAN, User.Role.ADMIN)
def landing(request):
    return render(request, "dosing/landing.html")
