from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class FanloopLocaleMiddleware(LocaleMiddleware):
    """zh-hans unless the user picked another language with the switcher.

    Django's own middleware follows the browser's Accept-Language, which would show
    English to the many Chinese teams whose machines run an English OS.
    """

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
