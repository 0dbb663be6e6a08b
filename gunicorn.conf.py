"""gunicorn's settings for HealthGrid, read from the working directory (run.sh, the load
test and the suite's servers start gunicorn in the repository).

A request line over gunicorn's default 4,094 bytes gets gunicorn's own 400 as an HTML page,
before the app can answer in its API's JSON: an API search with many grid_id filters is
that long (the fuzz test met one of 6,055 bytes). 8,190 is gunicorn's largest limit."""
limit_request_line = 8190
