"""Messages from allauth and Django that our users meet, listed so `makemessages` keeps them here.

allauth ships Dutch that says "je"; this product addresses people as "u", and some of its phrases
("Authenticator code", "Onthouden") say little to a volunteer. Django 5.2 changed one password
message that its Dutch catalog has not caught up with. This app's locale/nl/LC_MESSAGES/django.po
holds our wording; this app comes before allauth and django.contrib.auth in INSTALLED_APPS, so its
translations win. The msgids are the libraries' own, so English pages keep their English.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_MESSAGES = [
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("You must type the same password each time."),
    gettext_noop("Please type your current password."),
    gettext_noop("This account is currently inactive."),
    gettext_noop("The password reset token was invalid."),
    gettext_noop("The email address is not assigned to any user account."),
    gettext_noop("Be patient, you are sending too many requests."),
    gettext_noop("Incorrect code."),
    gettext_noop("Incorrect password."),
    gettext_noop("Remember Me"),
    gettext_noop("Email"),
    gettext_noop("Password (again)"),
    gettext_noop("New Password (again)"),
    gettext_noop("Authenticator code"),
    gettext_noop("Use your password"),
    gettext_noop("Use authenticator app or code"),
    gettext_noop("You cannot deactivate two-factor authentication."),
    gettext_noop("You cannot generate recovery codes without having two-factor authentication enabled."),
    gettext_noop("You cannot activate two-factor authentication until you have verified your email address."),
    gettext_noop("You cannot add an email address to an account protected by two-factor authentication."),
]

DJANGO_MESSAGES = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]
