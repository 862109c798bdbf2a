"""Importers for the national address base and the CBS area data.

Every importer streams its file, refuses bad input with a Dutch message that names the line or
feature and says what to do, and writes all or nothing. See loader.py for how addresses are written.
"""
