"""Synthetic demo district: `flask --app healthgrid demo`."""
