"""Helpers for driving forms the way a browser does (with the page's CSRF token), and for
databases of their own beside the suite's (backups, the browser tests' server)."""
import os
import re
from contextlib import contextmanager
from html.parser import HTMLParser

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool
from werkzeug.datastructures import MultiDict


@contextmanager
def today_is(day):
    """The app's today pinned to `day` inside the block (clock.set_today), unpinned after."""
    from healthgrid import clock
    clock.set_today(day)
    try:
        yield day
    finally:
        clock.set_today(None)


def full_width(text: str) -> str:
    """What a Chinese input method in full-width mode types for `text` (１３８ for 138)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def csrf_from(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no form on {url}"
    return match.group(1)


def submit(client, url: str, data: dict, form_url: str | None = None):
    """POST `data` to `url` with the CSRF token of the page at `form_url` (default: url)."""
    token = csrf_from(client, form_url or url)
    return client.post(url, data={**data, "csrf_token": token})


class _Forms(HTMLParser):
    """The forms of a page as a browser sees them: each form's action, the (name, value)
    pairs it sends as it stands (text inputs, hidden inputs, checked boxes, the selected
    option, text areas), its submit buttons, and its controls: name -> the values a user
    can give it (None: any text; a hidden input keeps its value, a select, radio buttons
    or tick boxes offer theirs)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._select, self._option, self._button = [], None, None, None
        self._textarea = self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "pairs": [], "buttons": [],
                          "controls": {}}
            self.forms.append(self._form)
        form = self._form
        if form is None or "disabled" in a:  # neither is sent
            return
        controls = form["controls"]
        if tag == "input" and a.get("name"):
            kind, name = a.get("type", "text"), a["name"]
            if kind in ("checkbox", "radio", "hidden"):
                value = a.get("value", "" if kind == "hidden" else "on")
                offered = controls.setdefault(name, set())
                if offered is not None:
                    offered.add(value)
                if kind == "hidden" or "checked" in a:
                    form["pairs"].append((name, value))
            elif kind == "submit":
                form["buttons"].append({"name": name, "value": a.get("value", ""),
                                        "text": a.get("value", "")})
            elif kind not in ("button", "reset", "file", "image"):
                controls[name] = None
                form["pairs"].append((name, a.get("value", "")))
        elif tag == "select":
            self._select = {"name": a.get("name"), "first": None, "chosen": None}
            if a.get("name"):
                controls[a["name"]] = set()
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            if self._select["name"]:
                controls[self._select["name"]].add(value)
            self._option = [value, ""]  # the option's text is its value when it has none
            if "selected" in a:
                self._select["chosen"] = self._option
            if self._select["first"] is None:
                self._select["first"] = self._option
        elif tag == "textarea" and a.get("name"):
            self._textarea = [a["name"], ""]
            controls[a["name"]] = None
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button = {"name": a.get("name"), "value": a.get("value", ""), "text": ""}
            form["buttons"].append(self._button)

    def handle_data(self, data):
        if self._button is not None:
            self._button["text"] += data
        if self._option is not None:
            self._option[1] += data
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "button":
            self._button = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the newline right after <textarea>.
            name, value = self._textarea
            self._form["pairs"].append((name, value[1:] if value[:1] == "\n" else value))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            option = self._select["chosen"] or self._select["first"]
            if self._select["name"] and option is not None:
                value = option[0] if option[0] is not None else option[1].strip()
                self._form["pairs"].append((self._select["name"], value))
            self._select = None


def press(client, url: str, button: str, fields: dict | None = None):
    """Fill the form of the page at `url` that has the submit button labelled `button`
    (its text, stripped), as a user would, and press that button: the form's own hidden
    inputs, defaults and the button's name and value are sent along, as a browser sends
    them. `fields` replace the values of the named controls; each must be a control of
    that form, and a choice (select, radio, tick box, hidden input) must offer the value:
    a renamed or dropped input fails the test instead of being sent all the same."""
    return press_on(client, client.get(url).get_data(as_text=True), url, button, fields)


def press_on(client, page: str, url: str, button: str, fields: dict | None = None):
    """press() on a page already received (the answer of an earlier post), not a new GET."""
    parser = _Forms()
    parser.feed(page)
    form, pressed = next(((f, b) for f in parser.forms for b in f["buttons"]
                          if b["text"].strip() == button), (None, None))
    assert form is not None, f"no button {button!r} on {url}"
    # A list ticks several boxes of one name.
    fields = {name: [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]
              for name, value in (fields or {}).items()}
    for name, values in fields.items():
        assert name in form["controls"], f"the form of {button!r} on {url} has no {name!r}"
        offered = form["controls"][name]
        for value in values:
            assert offered is None or value in offered, \
                f"{name!r} on {url} offers {sorted(offered, key=str)}, not {value!r}"
    pairs = [(n, v) for n, v in form["pairs"] if n not in fields] + [
        (name, value) for name, values in fields.items() for value in values]
    if pressed["name"]:
        pairs.append((pressed["name"], pressed["value"]))
    return client.post(form["action"] or url, data=MultiDict(pairs))


def postgres_base_url():
    """The suite's PostgreSQL URL (DATABASE_URL), or None on SQLite runs."""
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        return None
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql+psycopg")


def recreate_pg_database(base, name: str, *, create: bool) -> None:
    """Drop the database `name` on the server of `base`, then create it afresh if asked.
    CREATE/DROP DATABASE cannot run inside a transaction: an AUTOCOMMIT engine on the
    URL's own database, which surely exists."""
    engine = create_engine(base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    quoted = engine.dialect.identifier_preparer.quote(name)
    try:
        with engine.connect() as conn:
            # FORCE: a server left over by an interrupted run may still hold connections.
            conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
            if create:
                conn.execute(text(f"CREATE DATABASE {quoted}"))
    finally:
        engine.dispose()
