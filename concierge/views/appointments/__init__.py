"""Appointment reception pages."""
