"""Intake's views, one module per area: patients (list, invite, chart, home), questionnaire (the patient's
intake steps), consent, review (queue, assessment, plan) and alerts."""
