"""The cards integration adds to intake's chart and the patient's home (kap_clinic/panels.py), one module
per part, each listing `PANELS` as (page, Panel) pairs; `apps.py` registers them."""

from . import journal, measures, sessions, timeline

ALL = [*sessions.PANELS, *measures.PANELS, *journal.PANELS, *timeline.PANELS]
