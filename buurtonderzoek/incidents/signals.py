"""Signals other apps listen to, so incidents need not know about them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent inside the transaction of `transition_incident`, after the history row is written.
# Arguments: incident, from_status, to_status, by.
incident_transitioned = Signal()
