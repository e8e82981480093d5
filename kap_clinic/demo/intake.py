"""Demo intakes: a patient at each intake stage (in progress, awaiting review with flags, planned, not eligible).

Answers are raw form values, exactly as the intake steps store them (`intake/sections.py`), so the demo goes
through the same validation and services as a real patient.
"""

YES, NO = "yes", "no"


def about(patient, **overrides) -> dict:
    data = {
        "legal_name": patient.legal_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth.isoformat() if patient.date_of_birth else "1985-03-14",
        "sex_at_birth": "female",
        "gender": "",
        "phone": patient.phone or "(555) 010-2233",
        "address": "88 Elm Street, Springfield",
        "emergency_contact_name": "Chris Morgan",
        "emergency_contact_phone": "(555) 010-7788",
        "emergency_contact_relationship": "Partner",
    }
    return data | overrides


SUPPORT = {
    "support_person_name": "Chris Morgan",
    "support_person_phone": "(555) 010-7788",
    "support_person_relationship": "Partner",
    "ride_home_name": "Chris Morgan",
    "ride_home_phone": "(555) 010-7788",
    "ride_home_confirmed": "on",
}


def medical(**overrides) -> dict:
    data = {
        "hypertension": NO,
        "hypertension_controlled": "",
        "heart_disease": NO,
        "heart_disease_details": "",
        "aneurysm_avm": NO,
        "stroke_ich": NO,
        "liver_disease": NO,
        "glaucoma_pressure": NO,
        "head_injury": NO,
        "seizures": NO,
        "thyroid": "none",
        "bladder_urinary": NO,
        "pregnant": "not_applicable",
        "breastfeeding": NO,
        "contraception": "",
        "allergies": "Penicillin (rash)",
        "ketamine_allergy": NO,
        "other_conditions": "",
    }
    return data | overrides


def medications(rows: list[tuple[str, str, str, str]]) -> dict:
    """Formset data (prefix "med") for rows of (name, dose, unit, frequency)."""
    data = {
        "med-TOTAL_FORMS": str(max(len(rows), 1)),
        "med-INITIAL_FORMS": "0",
        "med-MIN_NUM_FORMS": "0",
        "med-MAX_NUM_FORMS": "30",
        "no_medications": "" if rows else "on",
    }
    for index, (name, dose, unit, frequency) in enumerate(rows):
        data |= {
            f"med-{index}-name": name,
            f"med-{index}-dose": dose,
            f"med-{index}-unit": unit,
            f"med-{index}-frequency": frequency,
        }
    return data


def psychiatric(**overrides) -> dict:
    data = {
        "diagnoses": ["depression", "ptsd"],
        "diagnoses_other": "",
        "psychosis_history": NO,
        "psychosis_family": NO,
        "mania_history": NO,
        "hospitalisations": "0",
        "hospitalisation_details": "",
        "past_treatments": ["antidepressants", "psychotherapy"],
        "past_treatments_effect": "Sertraline and then venlafaxine helped a little; trauma-focused therapy for a year.",
        "prior_ketamine": NO,
        "prior_ketamine_details": "",
        "prior_psychedelics": "",
    }
    return data | overrides


def substances(**overrides) -> dict:
    data = {
        "alcohol": "monthly_or_less",
        "alcohol_drinks": "1",
        "cannabis": "never",
        "other_substances": "",
        "substance_use_disorder": "none",
        "in_recovery_since": "",
    }
    return data | overrides


TRAUMA = {
    "trauma_types": ["accident"],
    "index_event": "A car crash on the highway in 2019",
    "trauma_notes": "",
}
GOALS = {
    "goals": "Sleep through the night and feel present with my family again.",
    "intentions": "To look at the crash without being overwhelmed.",
    "concerns": "Losing control during the session.",
}


def scores(count: int, value: int, **overrides) -> dict:
    return {f"q{number}": str(value) for number in range(1, count + 1)} | {k: str(v) for k, v in overrides.items()}


def full_answers(patient, *, med_rows=(), medical_overrides=None, phq9=None, cssrs=None) -> dict:
    """Every step of a complete intake (consent is signed separately)."""
    return {
        "about": about(patient),
        "support": SUPPORT,
        "medical": medical(**(medical_overrides or {})),
        "medications": medications(list(med_rows)),
        "psychiatric": psychiatric(),
        "substances": substances(),
        "trauma": TRAUMA,
        "goals": GOALS,
        "phq9": phq9 or scores(9, 2, q9=0, difficulty=2),
        "gad7": scores(7, 2, difficulty=1),
        "pcl5": scores(20, 2) | {"index_event": TRAUMA["index_event"]},
        "cssrs": cssrs or {"q1": "0", "q2": "0", "q6": "0"},
    }


# --- seeding -------------------------------------------------------------------------------------------

# What each demo patient has done: "in_progress" (three steps saved), "submitted" (awaiting review),
# "planned" (eligible, plan signed), "not_eligible". Patients not listed have not started.
SCENARIOS = {
    ("harbor", "patient1"): "in_progress",
    ("harbor", "patient2"): "submitted",
    ("harbor", "patient4"): "planned",
    ("harbor", "patient5"): "not_eligible",
    ("harbor", "patient6"): "planned",
    ("harbor", "patient7"): "planned_esketamine",
    ("desert", "patient1"): "submitted",
}
IN_PROGRESS_STEPS = ("about", "support", "medical")


def scenario_answers(patient, scenario: str, handle: str) -> dict:
    if handle == "patient2":  # flags for the review queue: a benzodiazepine, lamotrigine, item 9
        return full_answers(
            patient,
            med_rows=[
                ("Alprazolam", "0.5", "mg", "three_daily"),
                ("Lamotrigine", "100", "mg", "twice_daily"),
                ("Sertraline", "100", "mg", "once_daily"),
            ],
            phq9=scores(9, 2, q9=1, difficulty=2),
            cssrs={"q1": "1", "q2": "0", "q6": "0"},
        )
    if scenario == "not_eligible":
        return full_answers(patient, medical_overrides={"aneurysm_avm": YES})
    return full_answers(patient, med_rows=[("Sertraline", "100", "mg", "once_daily")])


def seed_consent(clinic, admin):
    """Version 1 of the clinic's consent, published (the template text; a real clinic edits it first)."""
    from intake.services.consent import consent_current_document, consent_document_create, consent_document_publish

    if consent_current_document(clinic) is None:
        consent_document_publish(document=consent_document_create(clinic=clinic, by=admin), by=admin)


def seed_intake(patient, scenario: str, handle: str, *, prescriber):
    """Walk one demo patient through the real services up to `scenario`. Skipped once they have started."""
    from intake.models import IntakeQuestionnaire
    from intake.services.consent import consent_current_document, consent_sign
    from intake.services.questionnaire import questionnaire_for_patient, questionnaire_save_step, questionnaire_submit

    if IntakeQuestionnaire.objects.filter(patient=patient).exists():
        return
    user = patient.user
    questionnaire = questionnaire_for_patient(patient=patient)
    answers = scenario_answers(patient, scenario, handle)
    steps = IN_PROGRESS_STEPS if scenario == "in_progress" else tuple(answers)
    for slug in steps:
        saved = questionnaire_save_step(questionnaire=questionnaire, slug=slug, data=answers[slug], by=user)
        assert saved.valid, (slug, saved.form.errors)  # the demo answers must pass the real validation
    if scenario == "in_progress":
        return
    consent_sign(
        patient=patient,
        document=consent_current_document(patient.clinic),
        typed_name=patient.legal_name,
        agreed=True,
        ip="127.0.0.1",
        user_agent="demo",
        by=user,
    )
    questionnaire_save_step(questionnaire=questionnaire, slug="consent", data={}, by=user)
    questionnaire_submit(questionnaire=questionnaire, by=user)
    if scenario.startswith("planned") or scenario == "not_eligible":
        seed_assessment(patient, scenario, prescriber=prescriber)


def seed_assessment(patient, scenario: str, *, prescriber):
    """The prescriber assesses the submitted intake: eligible with an IM plan signed, or not eligible."""
    from decimal import Decimal

    from intake.measure_schedule import DEFAULT_SCHEDULE
    from intake.services.assessment import assessment_sign
    from intake.services.plan import plan_sign

    vitals = {"systolic": 126, "diastolic": 82, "heart_rate": 74, "spo2": 98, "weight_kg": Decimal("78.0")}
    evaluation = {
        "evaluation": "Chronic PTSD after a road accident with secondary depression; two adequate SSRI trials and a "
        "year of trauma-focused therapy with partial benefit. Motivated, good support at home.",
        "indication": "ptsd",
        "treatment_resistant": True,
        "prior_treatments": "Sertraline 150 mg (8 months), venlafaxine 225 mg (6 months), CPT (12 sessions).",
    }
    if scenario == "not_eligible":
        assessment_sign(
            patient=patient,
            by=prescriber,
            vitals=vitals,
            **evaluation,
            decision="not_eligible",
            decision_note="Known intracranial aneurysm (absolute contraindication); referred back to the GP for "
            "other options.",
        )
        return
    assessment_sign(patient=patient, by=prescriber, vitals=vitals, **evaluation, decision="eligible")
    if scenario == "planned_esketamine":  # Spravato: 56 mg (two devices), twice weekly in induction
        dose = {"drug": "esketamine", "route": "in", "dose_unit": "mg", "planned_dose": Decimal(56)}
        dose |= {"dose_min": Decimal(56), "dose_max": Decimal(84), "induction_sessions": 8, "spacing_days": 3}
        fasting = {"fasting_food_hours": Decimal(2), "fasting_fluids_hours": Decimal("0.5")}
    else:  # IM 0.5 mg/kg weekly
        dose = {"drug": "racemic", "route": "im", "dose_unit": "mg_per_kg", "planned_dose": Decimal("0.5")}
        dose |= {"dose_min": Decimal("0.3"), "dose_max": Decimal("0.75"), "induction_sessions": 6, "spacing_days": 7}
        fasting = {"fasting_food_hours": Decimal(4), "fasting_fluids_hours": Decimal(2)}
    plan_sign(
        patient=patient,
        by=prescriber,
        indication="ptsd",
        **dose,
        **fasting,
        measure_schedule=DEFAULT_SCHEDULE,
        medication_holds="No alcohol, cannabis or sleeping tablets for 24 hours before and after each session.",
        escort_required=True,
        instructions="Wear comfortable clothes; bring an eye mask if you like. Write down your intention.",
    )
