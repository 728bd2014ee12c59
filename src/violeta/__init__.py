"""Violeta: one information system for the agencies that attend violence against women."""
