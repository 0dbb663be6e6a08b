"""Property-based fuzzing of the JSON API from its own OpenAPI document (schemathesis):
no answer is a server error and every answer conforms to the document. CI runs a bounded
number of examples per operation; HEALTHGRID_FUZZ_EXAMPLES raises it for a long run."""
import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance,
                                               response_schema_conformance,
                                               status_code_conformance)

EXAMPLES = int(os.environ.get("HEALTHGRID_FUZZ_EXAMPLES", "25"))
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)


def test_api_answers_within_its_document(app, db, district, api_as):
    _client, headers = api_as("manager")  # the role that reaches the most operations
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    requests, operations, failures = 0, 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            nonlocal requests
            response = case.call(headers=headers)
            requests += 1
            case.validate_response(response, checks=CHECKS)

        try:
            fuzz()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    print(f"API fuzzing: {requests} requests over {operations} operations")
    assert operations >= 15
    assert not failures, "\n\n".join(failures)
