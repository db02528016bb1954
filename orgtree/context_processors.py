"""The top menu on every page: only the sections the user can use (orgtree.selectors.user_menu)."""

from django.urls import reverse

from .selectors import user_menu


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def items():
        # Lazy (templates call it when they loop): htmx fragments never pay for it, and a page that
        # renders it twice reads the memberships once (cached on the user).
        cached = getattr(request, "_tuanjian_menu", None)
        if cached is None:
            current = getattr(getattr(request, "resolver_match", None), "view_name", "")
            cached = [
                {"url": reverse(s.url_name), "label": s.label, "current": s.url_name == current}
                for s in user_menu(user)
            ]
            request._tuanjian_menu = cached
        return cached

    return {"nav_menu": items}
