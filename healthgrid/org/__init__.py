"""The organisation: institutions, communities, grids, 3+X teams and their staff."""
