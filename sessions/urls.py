from django.urls import path

from . import views

app_name = "dosing"

urlpatterns = [
    path("", views.landing, name="landing"),
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
