"""The signed-in user's language preference, over the browser's."""

from django.conf import settings
from django.utils import translation

from accounts.selectors import profile_language


class ProfileLanguageMiddleware:
    """After LocaleMiddleware (cookie, browser): a language chosen on the profile wins."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Kept on the request for the language chooser (one query per page, not two).
            request.language_choice = profile_language(user=user)
            if request.language_choice in dict(settings.LANGUAGES):
                translation.activate(request.language_choice)
                request.LANGUAGE_CODE = request.language_choice
        return self.get_response(request)
