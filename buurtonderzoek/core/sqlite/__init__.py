"""SQLite whose writers queue for the write lock (see base.py); ENGINE "buurtonderzoek.core.sqlite"."""
