from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from kenlabour.accounts.perms import can
from kenlabour.audit import selectors
from kenlabour.audit.forms import AuditFilterForm


@login_required
def log(request):
    """The audit log for platform admins: filters by action, person and period."""
    if not can(request.user, "audit.view_log"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    page_obj = page_range = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        paginator = Paginator(
            selectors.events(
                action=filters.get("action", ""),
                person=filters.get("person", "").strip(),
                since=filters.get("since"),
                until=filters.get("until"),
            ),
            selectors.PAGE_SIZE,
        )
        page_obj = paginator.get_page(request.GET.get("page"))
        page_range = paginator.get_elided_page_range(page_obj.number, on_each_side=2)
    return render(
        request, "audit/log.html", {"form": form, "page_obj": page_obj, "page_range": page_range}
    )
