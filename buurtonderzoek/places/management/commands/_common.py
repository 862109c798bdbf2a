"""Shared bits of the places import commands."""

from __future__ import annotations

from django.core.management.base import CommandParser

from buurtonderzoek.places.importers.loader import LoadResult


def add_import_arguments(parser: CommandParser, what: str) -> None:
    parser.add_argument("path", help=what)
    parser.add_argument("--database", default="default", help="Database-alias (standaard: default).")
    parser.add_argument("--no-progress", action="store_true", help="Geen voortgangsbalk tonen.")


def address_summary(result: LoadResult) -> str:
    return (
        f"{result.read:,} adressen gelezen in {result.seconds:.1f} s ({result.per_second:,.0f}/s, {result.path}): "
        f"{result.created:,} nieuw, {result.updated:,} gewijzigd, {result.unchanged:,} ongewijzigd."
    ).replace(",", ".")
