from django.urls import path

from . import views
from .views import observation, predose, sessions, settings

app_name = "dosing"

urlpatterns = [
    path("", views.landing, name="landing"),
    # dosing sessions: schedule, the session record and its steps, the live observation board
    path("sessions/", sessions.session_list, name="session_list"),
    path("patients/<uuid:code>/schedule/", sessions.session_schedule, name="session_schedule"),
    path("sessions/<uuid:code>/", sessions.session_detail, name="session_detail"),
    path("sessions/<uuid:code>/status/<slug:to>/", sessions.session_transition, name="session_transition"),
    path("sessions/<uuid:code>/pre-dose/", predose.predose_check, name="predose_check"),
    path("sessions/<uuid:code>/pre-dose/override/", predose.predose_override, name="predose_override"),
    path("sessions/<uuid:code>/administer/", predose.administration_add, name="administration_add"),
    path("sessions/<uuid:code>/observe/", observation.observation_add, name="observation_add"),
    path("sessions/<uuid:code>/adverse-events/new/", observation.adverse_event_add, name="adverse_event_add"),
    path("sessions/<uuid:code>/discharge/", sessions.session_discharge, name="session_discharge"),
    path("sessions/<uuid:code>/notes/<slug:kind>/", sessions.session_note, name="session_note"),
    path("sessions/<uuid:code>/notes/<slug:kind>/sign/", sessions.session_note_sign, name="session_note_sign"),
    path("sessions/<uuid:code>/addenda/new/", sessions.session_addendum, name="session_addendum"),
    path("sessions/<uuid:code>/rems/", sessions.session_rems, name="session_rems"),
    path("board/", observation.board, name="board"),
    path("board/rows/", observation.board_rows, name="board_rows"),
    path("settings/dissociation-scale/", settings.dissociation_scale, name="dissociation_scale"),
    # the controlled-substance ledger
    path("ledger/", views.ledger_home, name="ledger"),
    path("ledger/receive/", views.ledger_receive, name="ledger_receive"),
    path("ledger/lots/<uuid:code>/", views.ledger_lot, name="ledger_lot"),
    path("ledger/lots/<uuid:code>/administer/", views.ledger_administer, name="ledger_administer"),
    path("ledger/lots/<uuid:code>/waste/", views.ledger_waste, name="ledger_waste"),
    path("ledger/lots/<uuid:code>/dispose/", views.ledger_dispose, name="ledger_dispose"),
    path("ledger/lots/<uuid:code>/count/", views.ledger_count, name="ledger_count"),
    path("ledger/entries/<uuid:code>/", views.ledger_entry, name="ledger_entry"),
    path("ledger/entries/<uuid:code>/witness/", views.ledger_waste_witness, name="ledger_waste_witness"),
    path("ledger/entries/<uuid:code>/correct/", views.ledger_entry_correct, name="ledger_entry_correct"),
    path("ledger/counts/<uuid:code>/explain/", views.ledger_discrepancy_explain, name="ledger_discrepancy_explain"),
    path("ledger/inventories/", views.ledger_inventories, name="ledger_inventories"),
    path("ledger/inventories/take/", views.ledger_inventory_take, name="ledger_inventory_take"),
    path("ledger/inventories/<uuid:code>/", views.ledger_inventory, name="ledger_inventory"),
    path("ledger/dispensing-log/", views.ledger_dispensing_log, name="ledger_dispensing_log"),
]
