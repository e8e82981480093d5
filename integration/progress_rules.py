"""What counts as response, remission and meaningful change against baseline (domain.md §7.3), as data.

One rule per instrument, each with its source and how confident the source is (H high, M medium, L low).
`integration.progress` applies them; a clinic reads them on the progress page.

- PHQ-9: response ≥ 50 % drop from baseline; remission below 5; meaningful change 5 points (NCQA [S4,S5],
  Löwe [S3] — H). Also the original "clinically significant change": post-treatment ≤ 9 and ≥ 50 %
  improvement [S137].
- GAD-7: response ≥ 50 % drop and remission below 5, both by convention; meaningful change 4 points
  [S10] — M/L.
- PCL-5: response a drop of ≥ 10 points (clinically meaningful); 5–9 points is a reliable (minimal,
  partial) change; remission below the clinic's cutoff (`Clinic.pcl5_cutoff`, NC-PTSD 31–33)
  (NC-PTSD [S13], [S36] — M).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressRule:
    instrument: str
    meaningful_change: int  # points of improvement that matter to patients (MCID / clinically meaningful)
    response_drop_percent: int | None = None  # response: fell by at least this share of baseline
    response_drop_points: int | None = None  # response: fell by at least this many points
    remission_below: int | None = None  # remission: total below this …
    remission_below_clinic_cutoff: bool = False  # … or below the clinic's cutoff (PCL-5)
    reliable_change: int | None = None  # points of improvement beyond measurement error (PCL-5: 5)
    significant_post_max: int | None = None  # PHQ-9's "clinically significant": post ≤ this …
    significant_drop_percent: int | None = None  # … and improved by at least this share
    source: str = ""
    confidence: str = ""


PROGRESS_RULES: dict[str, ProgressRule] = {
    rule.instrument: rule
    for rule in (
        ProgressRule(
            "phq9",
            meaningful_change=5,
            response_drop_percent=50,
            remission_below=5,
            significant_post_max=9,
            significant_drop_percent=50,
            source="domain.md §7.3: NCQA [S4,S5], Löwe [S3]; clinically significant change [S137]",
            confidence="H",
        ),
        ProgressRule(
            "gad7",
            meaningful_change=4,
            response_drop_percent=50,  # convention
            remission_below=5,  # convention
            source="domain.md §7.3 [S10] (response and remission by convention)",
            confidence="M/L",
        ),
        ProgressRule(
            "pcl5",
            meaningful_change=10,  # clinically meaningful; also the response threshold
            response_drop_points=10,
            remission_below_clinic_cutoff=True,
            reliable_change=5,  # 5–9 points: reliable (minimal) change, a partial response
            source="domain.md §7.3: NC-PTSD [S13], [S36]",
            confidence="M",
        ),
    )
}
PROGRESS_INSTRUMENTS = tuple(PROGRESS_RULES)  # the order the progress pages show them in
