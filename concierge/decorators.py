from functools import wraps

from django.core.exceptions import PermissionDenied


def store_required(view):
    """For pages that read or write the user's own store's rows: a user of no store (a superuser
    who runs the installation) has none, and is refused rather than writing rows of no store."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.store_id is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
