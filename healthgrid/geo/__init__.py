"""Grid electronic map: grid boundaries, household locations, the indicator map, plans.
The domain wires itself into the app in geo.wiring.init_app."""
