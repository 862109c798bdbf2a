"""Messages from Django REST framework that API callers meet and that its Dutch catalogue lacks.

Listed so `makemessages` keeps them in this app's catalogue; locale/nl/LC_MESSAGES/django.po holds the
Dutch. This app comes before rest_framework in INSTALLED_APPS, so these translations win. The msgids are
DRF's own, so English answers keep their English.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DRF_MESSAGES = [
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("Invalid input."),
    gettext_noop("Datetime value out of range."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
]
DRF_PLURALS = [
    ngettext_lazy("Expected available in {wait} second.", "Expected available in {wait} seconds.", 1),
]
