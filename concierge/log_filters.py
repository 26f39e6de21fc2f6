"""Logging filters for the server log."""

import logging

from django.core.exceptions import PermissionDenied


class QuietPermissionDenied(logging.Filter):
    """An ordinary 403 ("Forbidden (Permission denied): /path") is one line, not a traceback.

    A refused request is the app working as meant; the traceback would bury real errors.
    """

    def filter(self, record):
        exc_info = record.exc_info
        if exc_info and isinstance(exc_info, tuple) and isinstance(exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
