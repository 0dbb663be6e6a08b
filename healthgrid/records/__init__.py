"""Health archives: households, residents, contracts, exits, Excel import and export."""
