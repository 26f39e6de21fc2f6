from django.utils import translation


class StaffLanguageMiddleware:
    """Signed-in staff read every page in their own language: their preference, else their store's.

    Runs after LocaleMiddleware (which picked the cookie's or the browser's language, and still does
    for the login page and anyone signed out) and after AuthenticationMiddleware (it needs the user).
    The header's language switch saves the preference (concierge.views.profile.set_language), so a
    tablet shared by a shift shows each person their own language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "preferred_language", None)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
