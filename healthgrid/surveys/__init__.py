"""Resident surveys: awareness and satisfaction, public links and cards."""
