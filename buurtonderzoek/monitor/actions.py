"""Every write to the Communitymonitor goes through here.

Officer actions (waves, public link, print runs) are atomic and recorded in the audit log.
Resident actions (claiming a code, saving a block of answers, finishing) are atomic but not audited
per person: a resident is anonymous and an audit row with a time stamp per answer would only add a
way to re-identify them. The flow for a resident:

1. `claim_code` (invited) or `start_public_response` (public link) gives an in-progress Response.
   A code claims at most one Response: the InvitationCode row is locked while the Response is
   created, and `Response.invitation` is unique in the database as the last line of defence.
2. `save_section` stores the answers of one screen (one section), cleaned by the engine's skip logic.
3. `complete_response` validates all answers, derives the indicator scores and closes the Response.
   It locks the Response row, so two devices finishing with the same code cannot both succeed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from buurtonderzoek.core.audit import record
from buurtonderzoek.core.models import AuditAction
from buurtonderzoek.jobs.actions import request_job
from buurtonderzoek.jobs.models import Job
from buurtonderzoek.monitor import aggregates, codes, indicators, pulse_blocks
from buurtonderzoek.monitor.models import (
    InvitationCode,
    PrintRun,
    PrintRunStatus,
    PulseGroup,
    Response,
    ResponseStatus,
    Source,
    Wave,
    WaveBuurt,
    WaveStatus,
)
from buurtonderzoek.places.models import Address, Buurt, Gemeente
from buurtonderzoek.questionnaires import engine
from buurtonderzoek.questionnaires.models import Purpose, QuestionnaireVersion

CONTEXT: dict[str, Any] = {}  # the monitor has no incident context for skip logic


class CodeRejected(ValidationError):
    """A resident's code cannot be used; the message says why and what to do."""


class ResponseClosed(ValidationError):
    """The response was already completed (for example on another device)."""


class WaveClosed(ResponseClosed):
    """The wave closed before the response was sent: its released figures never change afterwards."""


class ResponseIncomplete(ValidationError):
    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__(_("Nog niet alle vragen die moeten, hebben een antwoord. Vul ze eerst in."))
        self.answer_errors = dict(errors)


# --- Waves ------------------------------------------------------------------------------------


def _check_wave_fields(
    gemeente: Gemeente, *, starts_on: date, ends_on: date, version: QuestionnaireVersion, target_per_buurt: int
) -> None:
    errors: dict[str, str] = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("De einddatum ligt vóór de begindatum. Kies een latere einddatum.")
    if not version.is_published or version.questionnaire.purpose != Purpose.MONITOR:
        errors["version"] = _("Kies een gepubliceerde versie van een monitorvragenlijst.")
    if target_per_buurt < 1:
        errors["target_per_buurt"] = _("Het beoogde aantal antwoorden per buurt is minstens 1.")
    if errors:
        raise ValidationError(errors)


def _check_overlap(
    gemeente: Gemeente, buurten: Iterable[Buurt], *, starts_on: date, ends_on: date, exclude: int | None = None
) -> None:
    """Refuse a second wave in the same buurt and period: residents would get two letters and canvass
    pulse answers could join either wave."""
    others = WaveBuurt.objects.exclude(wave_id=exclude) if exclude is not None else WaveBuurt.objects.all()
    clash = (
        others.filter(
            wave__gemeente=gemeente,
            buurt__in=list(buurten),
            wave__starts_on__lte=ends_on,
            wave__ends_on__gte=starts_on,
        )
        .select_related("wave", "buurt")
        .order_by("wave__starts_on", "buurt__name")
    )
    rows = list(clash[:50])
    if rows:
        other = rows[0].wave
        names = sorted({row.buurt.name for row in rows if row.wave_id == other.pk})
        raise ValidationError(
            {
                "buurten": _(
                    "Meetronde %(wave)s (%(start)s tot en met %(end)s) loopt in dezelfde periode al in %(buurten)s. "
                    "Bewoners zouden dan twee brieven krijgen. Kies een periode na %(end)s of laat deze buurten weg."
                )
                % {
                    "wave": other.name,
                    "start": date_format(other.starts_on, "j F Y"),
                    "end": date_format(other.ends_on, "j F Y"),
                    "buurten": ", ".join(names),
                }
            }
        )


def household_counts(buurten: Iterable[Buurt]) -> dict[str, int]:
    """Addresses per buurt code: the population of households for the finite-population correction."""
    codes_ = [b.code for b in buurten]
    rows = Address.objects.filter(buurt_code__in=codes_).values("buurt_code").annotate(n=Count("id"))
    return {row["buurt_code"]: row["n"] for row in rows}


def create_wave(
    gemeente: Gemeente,
    *,
    by: Any,
    name: str,
    starts_on: date,
    ends_on: date,
    version: QuestionnaireVersion,
    buurten: Iterable[Buurt],
    target_per_buurt: int,
    public_link_enabled: bool = False,
) -> Wave:
    buurten = list(buurten)
    _check_wave_fields(
        gemeente, starts_on=starts_on, ends_on=ends_on, version=version, target_per_buurt=target_per_buurt
    )
    if not buurten:
        raise ValidationError({"buurten": _("Kies minstens één buurt.")})
    if any(b.gemeente_id != gemeente.pk for b in buurten):
        raise ValidationError(
            {"buurten": _("Alle buurten moeten in de gemeente %(name)s liggen.") % {"name": gemeente}}
        )
    if Wave.objects.filter(gemeente=gemeente, name=name.strip()).exists():
        raise ValidationError({"name": _("Er is al een meetronde met deze naam in deze gemeente.")})
    _check_overlap(gemeente, buurten, starts_on=starts_on, ends_on=ends_on)
    households = household_counts(buurten)
    with transaction.atomic():
        wave = Wave.objects.create(
            gemeente=gemeente,
            name=name.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            version=version,
            target_per_buurt=target_per_buurt,
            public_link_enabled=public_link_enabled,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        WaveBuurt.objects.bulk_create(
            WaveBuurt(wave=wave, buurt=b, households=households.get(b.code, 0)) for b in buurten
        )
        aggregates.ensure_cells(wave, [b.pk for b in buurten])
        record(
            by,
            AuditAction.CREATE,
            wave,
            summary=f"Meetronde {wave.name} aangemaakt ({len(buurten)} buurten)",
            data={"buurten": [b.code for b in buurten], "version": version.pk, "target_per_buurt": target_per_buurt},
        )
    return wave


def update_wave(wave: Wave, *, by: Any, name: str, starts_on: date, ends_on: date, target_per_buurt: int) -> Wave:
    """Change the name, period or target. Buurten and version are fixed once the wave exists.

    The period of a closed wave is fixed too: its figures are released, and reopening it would let
    new answers be worked out from the difference between two releases (results.py, release rule).
    """
    if wave.status() == WaveStatus.FINISHED and (starts_on, ends_on) != (wave.starts_on, wave.ends_on):
        raise ValidationError(
            {
                "ends_on": _(
                    "Deze meetronde is afgesloten en de cijfers zijn vrijgegeven; de periode kan niet meer "
                    "veranderen. Begin een nieuwe meetronde als u opnieuw wilt meten."
                )
            }
        )
    _check_wave_fields(
        wave.gemeente, starts_on=starts_on, ends_on=ends_on, version=wave.version, target_per_buurt=target_per_buurt
    )
    if Wave.objects.filter(gemeente=wave.gemeente, name=name.strip()).exclude(pk=wave.pk).exists():
        raise ValidationError({"name": _("Er is al een meetronde met deze naam in deze gemeente.")})
    if (starts_on, ends_on) != (wave.starts_on, wave.ends_on):
        buurten = Buurt.objects.filter(pk__in=WaveBuurt.objects.filter(wave=wave).values("buurt_id"))
        try:
            _check_overlap(wave.gemeente, buurten, starts_on=starts_on, ends_on=ends_on, exclude=wave.pk)
        except ValidationError as error:
            raise ValidationError({"ends_on": error.message_dict["buurten"]}) from error
    before = {"name": wave.name, "starts_on": str(wave.starts_on), "ends_on": str(wave.ends_on)}
    with transaction.atomic():
        wave.name, wave.starts_on, wave.ends_on = name.strip(), starts_on, ends_on
        wave.target_per_buurt = target_per_buurt
        wave.save(update_fields=["name", "starts_on", "ends_on", "target_per_buurt"])
        record(by, AuditAction.UPDATE, wave, summary=f"Meetronde {wave.name} gewijzigd", data={"before": before})
    return wave


def set_public_link(wave: Wave, *, by: Any, enabled: bool) -> Wave:
    with transaction.atomic():
        wave.public_link_enabled = enabled
        wave.save(update_fields=["public_link_enabled"])
        record(
            by,
            AuditAction.UPDATE,
            wave,
            summary=f"Openbare link {'aangezet' if enabled else 'uitgezet'} voor {wave.name}",
        )
    return wave


# --- Print runs -------------------------------------------------------------------------------


def request_print_run(
    wave: Wave, *, by: Any, buurten: Iterable[Buurt], mode: str, sample_size: int | None, include_pdf: bool
) -> PrintRun:
    """Queue a print run; the worker makes codes and letters (tasks.make_print_run)."""
    from buurtonderzoek.monitor.tasks import make_print_run

    buurt_ids = [b.pk for b in buurten]
    if not buurt_ids:
        raise ValidationError({"buurten": _("Kies minstens één buurt.")})
    with transaction.atomic():
        run = PrintRun.objects.create(
            wave=wave,
            mode=mode,
            sample_size=sample_size,
            buurt_ids=buurt_ids,
            include_pdf=include_pdf,
            status=PrintRunStatus.PENDING,
            progress=0,
            letters=0,
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        record(by, AuditAction.CREATE, run, summary=f"Uitnodigingen aangevraagd voor {wave.name}")
        transaction.on_commit(lambda: make_print_run.enqueue(run.pk))
    return run


def request_report(wave: Wave, *, by: Any, waves: Iterable[Wave]) -> Job:
    """Queue the PDF report of a closed wave with the chosen (closed) waves (a background job)."""
    with transaction.atomic():
        record(by, AuditAction.EXPORT, wave.gemeente, summary=f"Monitorrapport (pdf) aangevraagd: {wave.name}")
        return request_job(
            "monitor.report",
            by=by,
            params={
                "gemeente": wave.gemeente.code,
                "wave": wave.pk,
                "waves": sorted({w.pk for w in waves} | {wave.pk}),
            },
            title=_("Rapport Communitymonitor %(gemeente)s, %(wave)s")
            % {"gemeente": wave.gemeente.name, "wave": wave.name},
            back_url=f"{reverse('monitor:results', args=[wave.gemeente.code])}?wave={wave.pk}",
        )


EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel"}


def request_export(gemeente: Gemeente, fmt: str, *, by: Any) -> Job:
    """Queue the CSV or Excel download of the gemeente's results (a background job). The caller has
    checked that `by` is an officer of the gemeente; the job checks again when it runs."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Kies CSV of Excel."))
    with transaction.atomic():
        record(by, AuditAction.EXPORT, gemeente, summary=f"Monitorresultaten geëxporteerd ({fmt.upper()})")
        return request_job(
            f"monitor.{fmt}",
            by=by,
            params={"gemeente": gemeente.code},
            title=_("Resultaten Communitymonitor %(gemeente)s (%(format)s)")
            % {"gemeente": gemeente.name, "format": EXPORT_FORMATS[fmt]},
            back_url=reverse("monitor:results", args=[gemeente.code]),
        )


def retry_print_run(run: PrintRun, *, by: Any) -> PrintRun:
    """Queue a failed run again (a fresh sample and fresh codes: the failed try stored none)."""
    from buurtonderzoek.monitor.tasks import make_print_run

    with transaction.atomic():
        run = PrintRun.objects.select_for_update().get(pk=run.pk)
        if run.status != PrintRunStatus.FAILED:
            raise ValidationError(
                _("Alleen een mislukte drukrun kan opnieuw worden gemaakt. Maak anders een nieuwe drukrun.")
            )
        run.status, run.progress, run.error = PrintRunStatus.PENDING, 0, ""
        run.save(update_fields=["status", "progress", "error"])
        record(by, AuditAction.UPDATE, run, summary="Drukrun opnieuw aangevraagd")
        transaction.on_commit(lambda: make_print_run.enqueue(run.pk))
    return run


def finish_print_run(run: PrintRun, *, code_hashes: Mapping[int, list[str]], filename: str, content: bytes) -> PrintRun:
    """Store the hashed codes per buurt id and the download in one transaction (tasks.make_print_run).

    `code_hashes` lists are already shuffled relative to the letters, so the order of the rows (and
    their ids) says nothing about which address got which code.
    """
    from django.core.files.base import ContentFile

    per_buurt = {str(buurt_id): len(hashes) for buurt_id, hashes in code_hashes.items()}
    total = sum(per_buurt.values())
    with transaction.atomic():
        run = PrintRun.objects.select_for_update().select_related("wave").get(pk=run.pk)
        rows = [
            InvitationCode(wave=run.wave, buurt_id=buurt_id, print_run=run, code_hash=code_hash)
            for buurt_id, hashes in code_hashes.items()
            for code_hash in hashes
        ]
        InvitationCode.objects.bulk_create(rows, batch_size=2000)
        for wave_buurt in WaveBuurt.objects.select_for_update().filter(wave=run.wave, buurt_id__in=code_hashes):
            wave_buurt.codes_issued += len(code_hashes[wave_buurt.buurt_id])
            wave_buurt.save(update_fields=["codes_issued"])
        run.file.save(filename, ContentFile(content), save=False)
        run.letters, run.per_buurt = total, per_buurt
        run.status, run.progress, run.finished_at = PrintRunStatus.DONE, 100, timezone.now()
        run.save(update_fields=["file", "letters", "per_buurt", "status", "progress", "finished_at"])
        record(
            None,
            AuditAction.CREATE,
            run,
            summary=f"{total} uitnodigingen gemaakt voor {run.wave.name}",
            data={"wave": run.wave_id, "per_buurt": per_buurt, "mode": run.mode},
        )
    return run


def delete_print_run_file(run: PrintRun, *, by: Any) -> None:
    """Remove the download (the only code -> address link) once the letters are posted."""
    with transaction.atomic():
        run = PrintRun.objects.select_for_update().get(pk=run.pk)
        if run.file:
            run.file.delete(save=False)
            run.file = ""
            run.save(update_fields=["file"])
            record(by, AuditAction.DELETE, run, summary="Download met adressen en codes verwijderd")


def void_print_run(run: PrintRun, *, by: Any) -> int:
    """Withdraw a print run that was lost or not sent: its unused codes stop working.

    Codes that already have a response stay, so no answer is lost. Returns the number withdrawn.
    """
    with transaction.atomic():
        run = PrintRun.objects.select_for_update().get(pk=run.pk)
        if run.voided_at is not None:
            return 0
        unused = InvitationCode.objects.filter(print_run=run, response__isnull=True)
        per_buurt: dict[int, int] = {
            row["buurt_id"]: row["n"] for row in unused.values("buurt_id").annotate(n=Count("id"))
        }
        withdrawn: int = sum(per_buurt.values())
        # The rows stay (marked by the run's voided_at) so a resident is told the code was withdrawn,
        # not that it was mistyped (claim_code).
        for wave_buurt in WaveBuurt.objects.select_for_update().filter(wave=run.wave_id, buurt_id__in=per_buurt):
            wave_buurt.codes_issued = max(0, wave_buurt.codes_issued - per_buurt[wave_buurt.buurt_id])
            wave_buurt.save(update_fields=["codes_issued"])
        run.voided_at = timezone.now()
        run.save(update_fields=["voided_at"])
        record(by, AuditAction.UPDATE, run, summary=f"Drukrun ingetrokken: {withdrawn} codes vervallen")
    return withdrawn


# --- Residents --------------------------------------------------------------------------------


def _closed_message(wave: Wave, today: date | None) -> str:
    if wave.status(today) == WaveStatus.PLANNED:
        return _("De vragenlijst is nog niet geopend. U kunt antwoorden vanaf %(date)s.") % {
            "date": date_format(wave.starts_on, "j F Y")
        }
    return _("Deze meetronde is afgesloten op %(date)s. Bedankt voor uw belangstelling.") % {
        "date": date_format(wave.ends_on, "j F Y")
    }


def claim_code(text: str, *, today: date | None = None) -> Response:
    """The in-progress Response for this code, created on first use. Raises CodeRejected."""
    code = codes.normalise(text)
    if code is None:
        raise CodeRejected(
            _(
                "Deze code kennen we niet in deze vorm. Een code heeft 12 tekens: hoofdletters en de cijfers 2 tot "
                "en met 9. Typ de code over zoals hij op uw brief staat (bijvoorbeeld ABCD-EFGH-JKMN)."
            )
        )
    with transaction.atomic():
        invitation = (
            InvitationCode.objects.select_for_update()
            .select_related("wave__version", "wave__gemeente", "print_run")
            .filter(code_hash__in=codes.candidate_hashes(code))
            .first()
        )
        if invitation is None:
            raise CodeRejected(_("Deze code kennen we niet. Controleer de code op uw brief en probeer het opnieuw."))
        wave = invitation.wave
        if invitation.print_run.voided_at is not None and not Response.objects.filter(invitation=invitation).exists():
            raise CodeRejected(
                _(
                    "Deze code is ingetrokken: de gemeente %(gemeente)s heeft de brieven met deze code vervangen. "
                    "U hebt de code goed overgetypt. Gebruik de code uit de nieuwste brief van de gemeente; hebt u "
                    "die niet, neem dan contact op met de gemeente."
                )
                % {"gemeente": wave.gemeente.name}
            )
        if not wave.accepts_answers(today):
            raise CodeRejected(_closed_message(wave, today))
        existing = Response.objects.filter(invitation=invitation).first()
        if existing is None:
            try:
                with transaction.atomic():
                    return Response.objects.create(
                        wave=wave,
                        buurt_id=invitation.buurt_id,
                        source=Source.INVITED,
                        version=wave.version,
                        invitation=invitation,
                    )
            except IntegrityError:
                # Only reachable where the row lock is not honoured: the unique constraint decides.
                existing = Response.objects.get(invitation=invitation)
        if existing.is_completed:
            raise CodeRejected(
                _("Met deze code is de vragenlijst al ingevuld. Per code kan één keer worden geantwoord. Bedankt!")
            )
        return existing


def start_public_response(wave: Wave, buurt: Buurt, *, today: date | None = None) -> Response:
    """A new anonymous response through the wave's public link; kept apart from the invited sample."""
    if not wave.public_link_enabled:
        raise CodeRejected(_("Deze openbare link is niet (meer) actief."))
    if not wave.accepts_answers(today):
        raise CodeRejected(_closed_message(wave, today))
    if not WaveBuurt.objects.filter(wave=wave, buurt=buurt).exists():
        raise CodeRejected(_("Deze buurt doet niet mee aan deze meetronde."))
    return Response.objects.create(wave=wave, buurt=buurt, source=Source.PUBLIC, version=wave.version)


def save_section(response: Response, section_id: str, data: Mapping[str, Any], *, next_section: str = "") -> Response:
    """Store the answers of one section; answers hidden by skip logic are dropped by the engine."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
        if locked.is_completed:
            raise ResponseClosed(_("Deze vragenlijst is al verstuurd. Uw antwoorden zijn opgeslagen."))
        schema = locked.version.parsed
        section = schema.section(section_id)
        answers = dict(locked.answers)
        for question in section.questions:
            answers.pop(question.id, None)
        answers.update({key: value for key, value in data.items() if value not in (None, "", [])})
        locked.answers = engine.clean(schema, answers, CONTEXT)
        locked.section = next_section or section_id
        locked.save(update_fields=["answers", "section"])
    return locked


def complete_response(response: Response) -> Response:
    """Validate all answers, derive the indicator scores and close the response (once)."""
    with transaction.atomic():
        locked = Response.objects.select_for_update().select_related("version").get(pk=response.pk)
        if locked.is_completed:
            raise ResponseClosed(_("Deze vragenlijst is al verstuurd. Per code kan één keer worden geantwoord."))
        wave = locked.wave
        if wave is not None and not wave.accepts_answers():
            # A closed wave's figures are out; an answer added now would change them (release rule).
            raise WaveClosed(_closed_message(wave, None))
        schema = locked.version.parsed
        cleaned, errors = engine.check(schema, locked.answers, CONTEXT)
        if errors:
            raise ResponseIncomplete(errors)
        locked.answers = cleaned
        locked.scores = indicators.score(schema, cleaned)
        locked.status = ResponseStatus.COMPLETED
        locked.completed_at = timezone.now()
        locked.section = ""
        locked.save(update_fields=["answers", "scores", "status", "completed_at", "section"])
        aggregates.add_response(locked)
    return locked


def record_pulse(
    *,
    buurt: Buurt,
    version: QuestionnaireVersion,
    answers: Mapping[str, Any],
    by: Any = None,
    canvass: Any = None,
) -> Response | None:
    """Keep the safety-pulse items of a canvass visit as a monitor response (source `pulse`).

    For the canvass app: call it when a door visit with pulse answers is accepted. Only answers to
    questions with a `meta.indicator` are kept, so nothing else of the visit (address, witness data)
    reaches the monitor. The response keeps the canvass it came from and joins the running wave
    covering the buurt, if any; where no wave runs it is kept all the same (wave empty). Returns None
    when the visit has no pulse answers.
    """
    schema = version.parsed
    keep = {q.id for q in schema.iter_questions() if isinstance(q.meta.get("indicator"), str)}
    pulse_answers = {key: value for key, value in answers.items() if key in keep}
    scores = indicators.score(schema, pulse_answers)
    if not scores:
        return None
    today = timezone.localdate()
    wave = (
        Wave.objects.filter(wave_buurten__buurt=buurt, starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on")
        .first()
    )
    now = timezone.now()
    response = Response(
        wave=wave,
        buurt=buurt,
        source=Source.PULSE,
        canvass=canvass,
        version=version,
        answers=pulse_answers,
        scores=scores,
        status=ResponseStatus.COMPLETED,
        started_at=now,
        completed_at=now,
    )
    with transaction.atomic():
        place_pulse([response])
        response.save()
    return response


def place_pulse(responses: list[Response]) -> None:
    """Give new (unsaved) pulse answers their group and frozen positions (pulse_blocks.py).

    Call inside the transaction that saves them: each group's row stays locked until then, so two
    answers never get the same position, and a failed save gives none away.
    """
    for response in responses:
        key = PulseGroup.key_of(response.canvass_id, response.buurt_id, response.wave_id)
        PulseGroup.objects.get_or_create(
            key=key,
            defaults={"canvass_key": response.canvass_id, "buurt_id": response.buurt_id, "wave_id": response.wave_id},
        )
        group = PulseGroup.objects.select_for_update().get(key=key)
        group.given, response.pulse_positions = pulse_blocks.place(
            group.given, group.given_per_indicator, response.scores
        )
        group.save(update_fields=["given", "given_per_indicator"])
        response.pulse_group, response.pulse_position = group, group.given


def rescore_wave(wave: Wave) -> int:
    """Recompute the stored indicator scores of a wave's completed responses (after a scoring fix)."""
    count = 0
    with transaction.atomic():
        responses = Response.objects.completed().filter(wave=wave).select_related("version")
        changed = []
        for response in responses.iterator(chunk_size=2000):
            response.scores = indicators.score(response.version.parsed, response.answers)
            changed.append(response)
            count += 1
        Response.objects.bulk_update(changed, ["scores"], batch_size=2000)
        aggregates.rebuild_cells(wave)
    return count
