from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "buurtonderzoek.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the audit receivers for logins, logouts and 2FA changes.
        from buurtonderzoek.accounts import signals  # noqa: F401
