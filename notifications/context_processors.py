"""The bell: unread notifications on every page (one count query per request, however many templates
— a table's own template renders with the request's context again)."""

from .services import unread_count


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_tuanjian_unread"):
        request._tuanjian_unread = unread_count(user)
    return {"unread_notifications": request._tuanjian_unread}
