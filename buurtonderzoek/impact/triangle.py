"""The golden triangle at a glance: one corner per partner, from the latest check of each representative.

A corner is "agrees" when at least one representative of that partner agrees (the agreement rule),
"disagrees" when someone checked and nobody of that partner agrees, and "open" when nobody checked.
The same data feeds the SVG and its text equivalent (a table), so they never tell different stories.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from buurtonderzoek.impact.actions import latest_checks
from buurtonderzoek.impact.models import Action, Partner, TriangleCheck

# Corner positions in the SVG's viewBox (-40 0 380 290): gemeente on top, politie bottom left,
# buurtpreventie bottom right; the labels sit outside the circles and inside the box.
POSITIONS = {Partner.GEMEENTE: (150, 65), Partner.POLITIE: (50, 220), Partner.BUURTPREVENTIE: (250, 220)}
SYMBOLS = {"agrees": "✓", "disagrees": "✗", "open": "?"}


@dataclass(frozen=True)
class Corner:
    partner: str
    label: str
    state: str  # agrees | disagrees | open
    x: int
    y: int
    checks: list[TriangleCheck]

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.state]

    @property
    def state_label(self) -> str:
        return {"agrees": _("akkoord"), "disagrees": _("niet akkoord"), "open": _("nog niet getoetst")}[self.state]

    def _mean(self, name: str) -> str:
        values = [getattr(c, name) for c in self.checks]
        return f"{sum(values) / len(values):.1f}".replace(".", ",") if values else "\u2013"

    @property
    def value(self) -> str:
        return self._mean("value_score")

    @property
    def quality(self) -> str:
        return self._mean("quality_score")

    @property
    def binding(self) -> str:
        return self._mean("binding_score")


@dataclass(frozen=True)
class Triangle:
    corners: list[Corner]

    @property
    def agreed(self) -> bool:
        return all(c.state == "agrees" for c in self.corners)

    @property
    def summary(self) -> str:
        agreeing = [c.label for c in self.corners if c.state == "agrees"]
        if self.agreed:
            return _("Alle drie de partners zijn akkoord.")
        if not agreeing:
            return _("Nog geen van de drie partners is akkoord.")
        return _("Akkoord: %(yes)s. Nog niet akkoord: %(no)s.") % {
            "yes": ", ".join(agreeing),
            "no": ", ".join(c.label for c in self.corners if c.state != "agrees"),
        }

    @property
    def edges(self) -> list[tuple[int, int, int, int, bool]]:
        """Sides between corners; a side is solid when both ends agree."""
        out = []
        for a, b in ((0, 1), (1, 2), (2, 0)):
            ca, cb = self.corners[a], self.corners[b]
            out.append((ca.x, ca.y, cb.x, cb.y, ca.state == cb.state == "agrees"))
        return out


def triangle_for(action: Action, checks: Iterable[TriangleCheck] | None = None) -> Triangle:
    latest = list(latest_checks(action, checks).values())
    corners = []
    for partner in Partner:
        mine = [c for c in latest if c.partner == partner]
        state = "agrees" if any(c.agrees for c in mine) else ("disagrees" if mine else "open")
        x, y = POSITIONS[partner]
        corners.append(Corner(str(partner), str(partner.label), state, x, y, mine))
    return Triangle(corners)
