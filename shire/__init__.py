"""Shire: a county council's communities platform."""
