"""Reads of notifications: a person sees only their own."""

from .models import Notification


def notifications_of(user):
    return Notification.objects.filter(recipient=user)
