"""The notification list; POST marks everything read."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from .selectors import notifications_of
from .services import notifications_mark_read


@require_http_methods(["GET", "POST"])
def notification_list(request):
    if request.method == "POST":
        notifications_mark_read(user=request.user)
        return redirect("notifications:list")
    page = Paginator(notifications_of(request.user), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page_obj": page})
