"""The start page: "/" and the redirect after login send each user to the work of their highest role."""

from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from orgtree.selectors import landing_url_name


@require_GET
def home(request):
    return redirect(landing_url_name(request.user))
