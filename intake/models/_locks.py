"""Database triggers shared by intake's records: what is signed or completed can't be changed or deleted."""

import pgtrigger


def append_only(name: str) -> pgtrigger.Protect:
    """Rows are never updated or deleted (completed measures, signatures)."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def locked_once(name: str, field: str) -> pgtrigger.Protect:
    """Once `field` is set (signed, published), the row can be neither updated nor deleted."""
    return pgtrigger.Protect(
        name=name,
        operation=pgtrigger.Update | pgtrigger.Delete,
        condition=pgtrigger.Q(**{f"old__{field}__isnull": False}),
    )
