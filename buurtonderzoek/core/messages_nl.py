"""Messages from Django and Django REST framework whose Dutch we write ourselves.

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
# Django's own form errors, in Dutch that says what to do (docs/taal.md): its catalogue says "Dit veld is
# vereist." and "Voer een geldig e-mailadres in."; a form that needs more precise words sets its own.
# DRF uses the same "This field is required." for API callers.
DJANGO_FORM_MESSAGES = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Enter a number."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid value."),
]
DRF_PLURALS = [
    ngettext_lazy("Expected available in {wait} second.", "Expected available in {wait} seconds.", 1),
]
