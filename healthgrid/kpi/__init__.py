"""Indicators, team performance and the performance report."""
