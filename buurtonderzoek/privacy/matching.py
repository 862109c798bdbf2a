"""Who a data-subject request is about, and how stored values are compared with it.

E-mail addresses are compared trimmed and case-insensitively; phone numbers after removing spaces,
dashes, dots, slashes and brackets, with +31 / 0031 (and a "(0)" after it) turned into a leading 0,
so "+31 (0)6-1234 5678" and "0612345678" are the same number. A name is compared case-insensitively
with runs of white space made one. An empty or too short value never matches anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

MIN_PHONE_DIGITS = 6
MIN_NAME_LENGTH = 3
_PHONE_SEPARATORS = re.compile(r"[\s\-./()]")
_PHONE = re.compile(r"^\+?[0-9]+$")


def normalise_email(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    email = value.strip().lower()
    return email if "@" in email else ""


def normalise_phone(value: Any) -> str:
    if not isinstance(value, str | int):
        return ""
    phone = str(value).strip().replace("(0)", "")
    phone = _PHONE_SEPARATORS.sub("", phone)
    if phone.startswith("+31"):
        phone = "0" + phone[3:]
    elif phone.startswith("0031"):
        phone = "0" + phone[4:]
    if not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < MIN_PHONE_DIGITS:
        return ""
    return phone


def normalise_name(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    name = " ".join(value.split()).casefold()
    return name if len(name) >= MIN_NAME_LENGTH else ""


@dataclass(frozen=True)
class Subject:
    """The person a request is about, already normalised. At least an e-mail address or a phone number."""

    email: str = ""
    phone: str = ""
    name: str = ""

    @classmethod
    def from_input(cls, *, email: str = "", phone: str = "", name: str = "") -> Subject:
        return cls(email=normalise_email(email), phone=normalise_phone(phone), name=normalise_name(name))

    @property
    def is_searchable(self) -> bool:
        return bool(self.email or self.phone)

    def email_matches(self, value: Any) -> bool:
        return bool(self.email) and normalise_email(value) == self.email

    def phone_matches(self, value: Any) -> bool:
        return bool(self.phone) and normalise_phone(value) == self.phone

    def name_matches(self, value: Any) -> bool:
        return bool(self.name) and normalise_name(value) == self.name
