from django.core.paginator import Page, Paginator


def paginate(request, items, per_page: int = 25) -> tuple[Page, str]:
    """One page of `items` and the current filters as a query string, for the page links to keep."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
