"""Helpers for driving forms the way a browser does (with the page's CSRF token)."""
import re


def csrf_from(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no form on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None):
    """POST `data` to `url` with the CSRF token of the page at `form_url` (default: url)."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})
