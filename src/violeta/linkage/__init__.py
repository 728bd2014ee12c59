"""Linking every agency record to one person: one file per woman."""
