"""The controlled-substance ledger's rules, as data, each with its source in shared/domain.md §6.

A clinic (or its compliance officer) should be able to read this file and check it against the
regulation. Check the current version of a rule or form before relying on it (domain.md's own caveat).
"""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

# Ketamine, its salts and isomers (so esketamine too) are Schedule III, DEA controlled-substance
# code 7285, since 12 Aug 1999 (21 CFR 1308.13(c)) [S111,S112].
DEA_SCHEDULE = "III"
DEA_CS_CODE = "7285"

# Records are kept at least 2 years from the record or inventory date, for DEA inspection; many
# states ask for longer (5 years in Nebraska and Wisconsin) [S115,S118,S131]. The ledger tables are
# append-only, so nothing is ever deleted: the retention period is a floor, never a purge date.
RETENTION_YEARS = 2

# A complete inventory at least every 2 years, at opening or close of business (noted on it);
# an initial inventory on the day the clinic first handles controlled substances, zero stock
# recorded as zero [S125,S126]. Some states ask for annual, exact counts (e.g. Iowa) [S127].
BIENNIAL_INVENTORY_YEARS = 2
# Opened Schedule III containers may be counted or measured as an estimate (exact above 1,000
# tablets or capsules) [S125]: the count form takes mL or mg for an opened vial.

# Wastage (drug left in a vial or syringe after a dose): DEA recommends, and most institutions
# require, that two people witness and record it; the domain reference asks for a witness on every
# waste record by default [S120,S121].
WASTE_WITNESS_REQUIRED = True
# Destroying inventory on site: DEA Form 41, signed by two authorized employee witnesses [S122,S123,S124].
DISPOSAL_ON_SITE_WITNESSES = 2

# Theft or significant loss: tell the DEA Field Division Office in writing within 1 business day of
# discovery, then file DEA Form 106 electronically within 45 days (since 24 Jul 2023) [S128,S129,S130].
THEFT_LOSS_NOTICE = _(
    "If this is a theft or a significant loss, the DEA Field Division Office must be told in writing "
    "within 1 business day of discovering it, and DEA Form 106 filed electronically within 45 days "
    "(21 CFR 1301.76(b)). Police are usually notified too."
)

# How far ahead of "now" a recorded time may be (clock drift between a tablet and the server).
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)


class Substance(models.TextChoices):
    KETAMINE_HCL = "ketamine_hcl", _("Ketamine HCl (racemic)")
    ESKETAMINE = "esketamine", _("Esketamine (Spravato)")


class ProductForm(models.TextChoices):
    VIAL = "vial", _("Vial, solution for injection")
    TROCHE = "troche", _("Troche / rapid-dissolving tablet")
    NASAL_DEVICE = "nasal_device", _("Nasal spray device")


class Unit(models.TextChoices):
    MG = "mg", _("mg")
    ML = "mL", _("mL")
    EACH = "each", _("units")


@dataclass(frozen=True)
class FormRule:
    """How a finished form is measured: a solution by volume, a troche or device by the unit."""

    form: str
    noun: str  # what one container or unit is called in messages ("vial", "troche", "device")
    measure: str  # Unit.ML or Unit.EACH: what a container holds and what DEA records count
    unit_name: str  # singular, for messages ("troche", "device", "mL")
    unit_name_plural: str
    strength_label: str  # what `Lot.strength_mg` means for this form
    container_label: str  # what `Lot.container_size` means for this form

    @property
    def units(self) -> tuple[str, ...]:
        """The units a quantity of this form may be entered in (1304.22(c): units or volume) [S117]."""
        return (Unit.MG, self.measure)

    @property
    def counted(self) -> bool:
        return self.measure == Unit.EACH


FORMS: dict[str, FormRule] = {
    ProductForm.VIAL: FormRule(
        ProductForm.VIAL, "vial", Unit.ML, "mL", "mL", _("Concentration (mg per mL)"), _("Volume of one vial (mL)")
    ),
    ProductForm.TROCHE: FormRule(
        ProductForm.TROCHE,
        "troche",
        Unit.EACH,
        "troche",
        "troches",
        _("Strength of one troche (mg)"),
        _("Troches per package"),
    ),
    ProductForm.NASAL_DEVICE: FormRule(
        ProductForm.NASAL_DEVICE,
        "device",
        Unit.EACH,
        "device",
        "devices",
        _("Strength of one device (mg)"),
        _("Devices per package"),
    ),
}

# Which finished forms each substance comes in. Racemic ketamine: injection vials and compounded
# troches/RDTs (domain.md §3) [S68,S69,S70]; esketamine: the Spravato nasal device, 28 mg each [S59,S60].
SUBSTANCE_FORMS: dict[str, tuple[str, ...]] = {
    Substance.KETAMINE_HCL: (ProductForm.VIAL, ProductForm.TROCHE),
    Substance.ESKETAMINE: (ProductForm.NASAL_DEVICE,),
}

# Precision of stored quantities: mg to 3 decimal places (0.001 mg); mL entered to 0.001 mL.
MG_PLACES = 3
MG_QUANTUM = Decimal("0.001")

# National Drug Code: 10 digits in 4-4-2, 5-3-2 or 5-4-1 segments, or the 11-digit 5-4-2 billing form.
NDC_PATTERN = re.compile(r"^(\d{4}-\d{4}-\d{2}|\d{5}-\d{3}-\d{2}|\d{5}-\d{4}-\d{1,2}|\d{10,11})$")


def plain_number(value: Decimal) -> str:
    """A quantity without trailing zeros: 100, 2.5, 0.375."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
