"""Grid electronic map: grid boundaries, household locations, the indicator map, plans."""
