"""Grid events: health supervision and public-health events, handled in a closed loop."""
