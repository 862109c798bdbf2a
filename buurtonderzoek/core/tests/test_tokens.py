import re

from buurtonderzoek.core.tokens import printable_token
from buurtonderzoek.incidents.models import new_public_token as tip_token
from buurtonderzoek.monitor.models import new_public_token as survey_token
from buurtonderzoek.signalements.models import new_token as alert_token


def test_printed_codes_hold_only_lowercase_letters_and_digits() -> None:
    # A leading '-' once vanished from a poster's link in the PDF text: no punctuation at all.
    for make in (printable_token, tip_token, survey_token, alert_token):
        tokens = {make() for _ in range(2000)}
        assert len(tokens) == 2000
        assert all(re.fullmatch(r"[a-z2-7]{16}", token) for token in tokens)
