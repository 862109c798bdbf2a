"""Mail that does not get lost, and never turns into an error page.

Background mail tasks are decorated with `@retrying_mail` (under `@task()`): a transient failure (the mail
server is down, busy or answers 4xx) schedules the same task again after a growing pause (1 min, 5 min,
30 min, 2 h); a permanent failure, or the last attempt, is kept as a `MailFailure` that the admin sees under
"Mislukte e-mails" and can send again. Mail sent inside a request (invitations, allauth's password
reset) goes through `send_safely`: a failure is kept the same way and the page goes on.
"""

from __future__ import annotations

import functools
import importlib
import logging
import smtplib
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.utils import timezone

from buurtonderzoek.core.models import MailFailure

logger = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(BACKOFF) + 1

R = TypeVar("R")


def is_transient(exc: BaseException) -> bool:
    """Worth trying again later: the server was unreachable or answered with a temporary (4xx) code."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500 or exc.smtp_code < 0
    # Connection refused or reset, timeouts, name lookups; smtplib's other errors are OSErrors too.
    return isinstance(exc, OSError)


def record_failure(
    what: str, exc: BaseException, *, task: str = "", arguments: dict[str, Any] | None = None, attempts: int = 1
) -> MailFailure:
    logger.error("Mail failed (%s) after %s attempt(s): %s", what, attempts, exc)
    return MailFailure.objects.create(
        what=what[:200], task=task, arguments=arguments or {}, attempts=attempts, error=f"{type(exc).__name__}: {exc}"
    )


def send_safely(what: str, send: Callable[[], Any], **failure: Any) -> bool:
    """Send now; on any failure keep a MailFailure for the admin and return False instead of raising."""
    try:
        send()
    except Exception as exc:
        record_failure(what, exc, **failure)
        return False
    return True


def _task_object(func: Callable[..., Any]) -> Any:
    # The module attribute is the django-tasks Task that wraps this function (set once the module is loaded).
    return getattr(importlib.import_module(func.__module__), func.__name__)


def retrying_mail(what: str) -> Callable[[Callable[..., R]], Callable[..., R | None]]:
    def decorate(func: Callable[..., R]) -> Callable[..., R | None]:
        @functools.wraps(func)
        def run(*args: Any, attempt: int = 1, **kwargs: Any) -> R | None:
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                path = f"{func.__module__}.{func.__name__}"
                if is_transient(exc) and attempt < MAX_ATTEMPTS:
                    delay = BACKOFF[attempt - 1]
                    logger.warning("Mail %s failed (%s); attempt %s in %s", what, exc, attempt + 1, delay)
                    task = _task_object(func)
                    if task.get_backend().supports_defer:
                        task = task.using(run_after=timezone.now() + delay)
                    task.enqueue(*args, attempt=attempt + 1, **kwargs)
                    return None
                record_failure(what, exc, task=path, arguments={"args": list(args), "kwargs": kwargs}, attempts=attempt)
                raise

        return run

    return decorate


def resend(failure: MailFailure) -> bool:
    """Queue a failed mail task again (from the admin); False when it was not a task (nothing to repeat)."""
    if not failure.task:
        return False
    module, _, name = failure.task.rpartition(".")
    task = getattr(importlib.import_module(module), name)
    task.enqueue(*failure.arguments.get("args", []), **failure.arguments.get("kwargs", {}))
    MailFailure.objects.filter(pk=failure.pk).update(resent_at=timezone.now())
    return True
