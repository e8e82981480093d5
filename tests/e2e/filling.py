"""Filling a real form in the browser from a dict of field values."""


def fill_form(page, data: dict) -> None:
    """Type `data` (field name → value, or list of values) into the page's form the way a person would,
    field by field: radios and checkboxes checked, selects chosen, text typed; blank values left alone."""
    for name, value in data.items():
        if name.startswith("med-") and name.split("-")[-1].isupper():
            continue  # the formset's hidden management fields
        for one in value if isinstance(value, list) else [value]:
            if one == "":
                continue  # left blank
            field = page.locator(f'[name="{name}"]').first
            kind = field.get_attribute("type")
            tag = field.evaluate("element => element.tagName")
            if kind == "radio":
                page.locator(f'[name="{name}"][value="{one}"]').check()
            elif kind == "checkbox":
                target = page.locator(f'[name="{name}"][value="{one}"]') if one != "on" else field
                target.check()
            elif tag == "SELECT":
                field.select_option(one)
            elif field.is_visible():
                field.fill(one)
