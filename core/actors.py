"""Who did it: the user to record on a row, or None for jobs, commands and anonymous requests."""


def actor(user):
    return user if user is not None and getattr(user, "is_authenticated", False) else None
