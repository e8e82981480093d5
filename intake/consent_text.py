# ruff: noqa: E501 -- each paragraph of the consent text is one line, so that it reflows on the page.
"""The starting text of a clinic's first consent document: every informed-consent element of
`shared/domain.md` §5 ("Informed-consent elements", compiled from public KAP/ketamine consents
[S105–S110]) in plain language, numbered as there.

It is a TEMPLATE, not a consent a clinic can use as it stands: fees, session lengths, the recording
policy and the emergency plan are the clinic's own, and its medical director and counsel review all of
it. The marker below opens the text so that nobody publishes it by accident; the admin pages warn while
it is still there.
"""

from django.utils.translation import gettext_lazy as _

TEMPLATE_MARKER = "[TEMPLATE"

# The box a patient ticks to sign (shown again with the signature and in its download).
AGREEMENT = _("I have read and understood this consent document, my questions have been answered, and I agree.")

DEFAULT_TITLE = _("Informed consent for ketamine-assisted psychotherapy")

DEFAULT_BODY = _(
    """[TEMPLATE — YOUR CLINIC MUST REVIEW AND EDIT THIS TEXT BEFORE PUBLISHING. It is a starting point compiled from public ketamine consent forms, not legal or medical advice. Replace every part in square brackets with your clinic's own details, then delete this paragraph.]

Please read this document carefully. Ask us about anything that is unclear before you sign. Signing means you have read it, understood it, had your questions answered, and agree to treatment.

1. What the treatment is
Ketamine is approved by the U.S. Food and Drug Administration (FDA) as an anesthetic. Using it to treat depression, PTSD or anxiety is "off-label": it is legal and commonly done, but the FDA has not approved ketamine for these conditions. The only approved form for depression is esketamine (Spravato), a nasal spray for treatment-resistant depression and for depression with suicidal thoughts. Ketamine is a Schedule III controlled substance. In ketamine-assisted psychotherapy, the medicine is given together with psychotherapy: preparation sessions before, support during, and integration sessions after each dose.

2. How the medicine is given and how you are monitored
Ketamine may be given by infusion into a vein (IV), by injection into a muscle (IM), as a tablet or lozenge dissolved in the mouth (sublingual), or as a nasal spray (intranasal). Your prescriber chooses the route and sets your dose. During and after the dose, staff check your blood pressure, heart rate and oxygen level. A dosing visit usually lasts [2 to 3 hours], including the time you rest and recover before going home.

3. What you may feel
Ketamine commonly causes dissociation (feeling detached from your body or surroundings), changes in how you see, hear and sense things, a changed sense of time, mixing of the senses (for example "seeing" sounds), and poor balance and coordination. You will lie or sit back during the session. These effects usually fade within one to two hours.

4. Risks and side effects
- A rise in blood pressure and heart rate.
- Nausea or vomiting, dizziness, blurred or double vision.
- A rise in the pressure inside the eye.
- Sleepiness (sedation).
- Anxiety, unpleasant feelings or frightening experiences during or as the medicine wears off (emergence reactions).
- Short-term problems with thinking and memory.
- Misuse, abuse and dependence: ketamine can be habit-forming.
- Bladder damage with long-term, frequent use, and liver injury with repeated use.
- Long-term effects are not fully known.
- The treatment may not help you, symptoms may come back, and a series of doses or ongoing (maintenance) doses may be needed.

5. Who should not have ketamine, and how we screen you
Ketamine is not safe for everyone. Before treatment we review your medical and psychiatric history and your records, examine you, check your blood pressure and, where it applies, ask about or test for pregnancy. Conditions such as uncontrolled high blood pressure, some heart and blood-vessel diseases, psychosis and pregnancy may mean ketamine is not right for you. Please tell us everything about your health, even if it seems unimportant.

6. Other treatments you could choose
Other options include antidepressant and other medication, psychotherapy without ketamine, transcranial magnetic stimulation (TMS), electroconvulsive therapy (ECT) and esketamine (Spravato). You may choose any of these instead, or no treatment.

7. Preparing for a dose, and getting home
- Follow the fasting instructions you are given (for example, no food for several hours and no liquids for a shorter time before your dose).
- Take your usual medicines unless your prescriber tells you to pause one. Do not drink alcohol or take recreational drugs before or after a dose, as instructed.
- You must not drive or operate machinery until the next day after a restful night's sleep.
- An adult must take you home. We will confirm your ride before your dose; without one, the dose is rescheduled.

8. Your right to stop
You may withdraw your consent and stop treatment at any time before a dose is given. Once you have had a dose, you must stay at the clinic until staff confirm it is safe for you to leave.

9. The psychotherapy part of treatment
- Your therapist will help you prepare, support you during the session and help you make sense of the experience afterwards.
- Supportive touch (such as a hand on the shoulder) is used only if you agree to it beforehand, and you can change your mind at any time: [describe your clinic's practice].
- You may use music and an eye mask during the session.
- Recording: [say whether sessions are ever recorded, and only with your separate written consent].
- Emergencies: [describe your clinic's emergency plan and equipment, and when emergency services are called].
- Confidentiality: what you say is kept private, except where the law or your safety or someone else's requires us to share it.
- If you are given lozenges or tablets to use at home: store them securely, never share them, have your named support person with you, and record every dose as instructed.

10. Pregnancy and new medicines
Ketamine is not recommended during pregnancy or breastfeeding. If you could become pregnant, use reliable contraception during treatment and tell us at once if you become or may be pregnant. Tell us before your next dose about any new medicine, supplement or change of dose.

11. Fees and cancellations
[State your fees, what insurance may or may not cover, and your cancellation and missed-appointment policy.]

By typing my full legal name and ticking the box below, I confirm that I have read and understood this document, that my questions have been answered, and that I agree to ketamine-assisted psychotherapy on these terms."""
)


def is_template(body: str) -> bool:
    """Whether a consent text still carries the template's opening note (the admin pages warn)."""
    return TEMPLATE_MARKER in body
