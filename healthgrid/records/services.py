"""Archive use cases: register, edit, exit, contracts, search. They flush; requests commit."""
from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import date
from operator import itemgetter

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, func, literal_column, or_, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased, joinedload

from healthgrid.domain import DomainError
from healthgrid.auth.scope import Scope
from healthgrid.auth.services import audit
from healthgrid.extensions import db
from healthgrid.hooks import Hooks
from healthgrid.org.models import Community, Grid, Team

from healthgrid.clock import utcnow

from . import history, profile, rules
from .models import Contract, Household, Resident

signals = Namespace()
# Other domains react without records knowing them (chronic enrolls the elderly, ends
# enrollments on exit).
resident_registered = signals.signal("resident-registered")
resident_exited = signals.signal("resident-exited")

# Functions resident -> list[TimelineEntry]; each domain adds its own records.
TIMELINE_SOURCES = Hooks()


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str
    text: str
    url: str | None = None


class ArchiveError(DomainError):
    """A user-caused problem in this domain (see healthgrid.domain)."""


def _check_id_unique(id_number: str | None, resident_id: int | None = None) -> None:
    if not id_number:
        return
    clash = db.session.scalar(select(Resident.id).where(Resident.id_number == id_number))
    if clash and clash != resident_id:
        raise ArchiveError("id_number", _l("Another resident already has this ID number."), 409)


def _next_archive_number(grid: Grid) -> str:
    # Lock the community row: two registrations at once must not draw the same number.
    community = db.session.scalar(
        select(Community).where(Community.id == grid.community_id).with_for_update())
    institution = community.institution
    community.archive_seq += 1
    return rules.archive_number(institution.county_code, institution.township_code,
                                community.code, community.archive_seq)


def register_household(grid: Grid, data: dict) -> Household:
    household = Household(grid_id=grid.id, address=data["address"],
                          head_name=data.get("head_name"), phone=data.get("phone"))
    db.session.add(household)
    db.session.flush()
    audit("household.create", household)
    return household


def register_resident(household: Household, data: dict, day: date) -> Resident:
    if not household.active:
        raise ArchiveError("household_id", _l("This household file is closed."))
    data = {k: v for k, v in data.items() if k not in ("household_id", "version")}
    _check_id_unique(data.get("id_number"))
    _disabled_from_list(data)
    resident = Resident(household_id=household.id, grid_id=household.grid_id,
                        archive_no=_next_archive_number(household.grid), created_on=day,
                        status="active", history=[], **rules.search_keys(
                            data["name"], data.get("phone"), data.get("id_number")))
    history.apply(resident, data)
    for key, value in data.items():
        setattr(resident, key, value)
    if resident.relation_to_head == "head" or not household.head_name:
        household.head_name = household.head_name or resident.name
    db.session.add(resident)
    db.session.flush()
    audit("resident.create", resident, resident_id=resident.id)
    resident_registered.send(resident, day=day)
    return resident


def _ensure_editable(resident: Resident) -> None:
    if resident.status != "active":
        raise ArchiveError("status", _l("This archive is closed history and cannot change."), 409)


def _ensure_version(resident: Resident, version: int) -> None:
    if version != resident.version:
        raise ArchiveError("version", _l(
            "Someone else changed this archive since you opened it; nothing was saved. "
            "Reload it to see their change."), 409)


def update_resident(resident: Resident, data: dict) -> Resident:
    _ensure_version(resident, data["version"])
    _ensure_editable(resident)
    data = dict(data)
    _disabled_from_list(data, resident)
    changed_lists = history.apply(resident, data)
    changes = {k: v for k, v in data.items() if k != "version" and getattr(resident, k) != v}
    sex = changes.get("sex", resident.sex)
    birth = changes.get("birth_date", resident.birth_date)
    id_number = changes.get("id_number", resident.id_number)
    if id_number and {"sex", "birth_date", "id_number"} & changes.keys():
        problem = rules.id_number_problem(id_number, birth, sex)
        if problem:
            from .schemas import ID_MESSAGES
            raise ArchiveError("id_number", ID_MESSAGES[problem])
    if "id_number" in changes:
        _check_id_unique(changes["id_number"], resident.id)
    for key, value in changes.items():
        setattr(resident, key, value)
    if {"name", "phone", "id_number"} & changes.keys():
        for key, value in rules.search_keys(resident.name, resident.phone,
                                            resident.id_number).items():
            setattr(resident, key, value)
    if changed_lists and not changes:
        resident.updated_at = utcnow()  # the rows changed: the archive's version moves too
    if changes or changed_lists:
        db.session.flush()  # the version column rejects a concurrent write here
        # Field names only: the audit trail must not copy identifiers.
        audit("resident.update", resident, resident_id=resident.id,
              detail="fields=" + ",".join(sorted([*changes, *changed_lists])))
    return resident


def _disabled_from_list(data: dict, resident: Resident | None = None) -> None:
    """A disability chosen on the form makes the resident one of the key population; the
    payment list and the single payment type (of the short form and older clients) agree."""
    if profile.disabled_from(profile.split_codes(data.get("disabilities"))):
        data["disabled"] = True
    if data.get("payment_types"):
        data["payment_type"] = profile.split_codes(data["payment_types"])[0]
    elif data.get("payment_type") and "payment_types" not in data and data["payment_type"] \
            not in profile.split_codes(resident.payment_types if resident else None):
        data["payment_types"] = data["payment_type"]


def record_exit(resident: Resident, status: str, on: date, version: int) -> Resident:
    """Moving out or death: the archive becomes read-only history; what runs ends."""
    _ensure_version(resident, version)
    _ensure_editable(resident)
    if on < resident.birth_date:
        raise ArchiveError("status_date", _l("The date is before the birth date."))
    resident.status, resident.status_date = status, on
    for contract in db.session.scalars(select(Contract).where(
            Contract.resident_id == resident.id, Contract.terminated_on.is_(None),
            Contract.end_date >= on)):
        contract.terminated_on = max(on, contract.start_date)
        contract.terminated_reason = status
    db.session.flush()
    audit("resident.exit", resident, resident_id=resident.id, detail=f"status={status}")
    resident_exited.send(resident, status=status, day=on)
    return resident


# --- contracts --------------------------------------------------------------------------

def contracts_of(resident: Resident) -> list[Contract]:
    return list(db.session.scalars(select(Contract).where(
        Contract.resident_id == resident.id).order_by(Contract.start_date.desc())))


def active_contract(resident: Resident, day: date) -> Contract | None:
    return next((c for c in contracts_of(resident) if c.active_on(day)), None)


def sign_contract(resident: Resident, team: Team | None, start: date,
                  user_id: int | None) -> Contract:
    """`team` None: the id given names no team, which is the field's fault like any other."""
    _ensure_editable(resident)
    grid = db.session.get(Grid, resident.grid_id)
    if team is None or grid.team_id != team.id:
        raise ArchiveError("team_id", _l("Only the team serving the resident's grid can sign."))
    end = rules.contract_end(start)
    overlapping = db.session.scalar(select(func.count(Contract.id)).where(
        Contract.resident_id == resident.id, Contract.start_date <= end,
        func.coalesce(Contract.terminated_on, Contract.end_date) >= start))
    if overlapping:
        raise ArchiveError("start_date", _l(
            "The resident already has a contract in this period; renew it instead."), 409)
    contract = Contract(resident_id=resident.id, team_id=team.id, start_date=start,
                        end_date=end, signed_by_id=user_id)
    db.session.add(contract)
    db.session.flush()
    audit("contract.sign", contract, resident_id=resident.id)
    return contract


def renew_contract(resident: Resident, day: date, user_id: int | None) -> Contract:
    """A new one-year term right after the latest one (or from today if it lapsed)."""
    latest = next(iter(contracts_of(resident)), None)
    if latest is not None and latest.start_date > day:
        raise ArchiveError("start_date", _l("A renewal is already waiting to start."), 409)
    start = rules.renewal_start(latest.last_day if latest else None, day)
    grid = db.session.get(Grid, resident.grid_id)
    team = db.session.get(Team, grid.team_id) if grid.team_id else None
    if team is None:
        raise ArchiveError("team_id", _l("The resident's grid has no team to sign with."))
    return sign_contract(resident, team, start, user_id)


def expiring_contracts(scope: Scope, day: date, within: int | None = None):
    """Active contracts ending within `within` days, with no renewal after them."""
    from datetime import timedelta
    within = rules.SETTINGS.contract_expiry_warning_days if within is None else within
    renewal = aliased(Contract)  # another contract of the same resident, starting later
    later = select(renewal.id).where(renewal.resident_id == Contract.resident_id,
                                     renewal.start_date > day, renewal.terminated_on.is_(None))
    query = (select(Contract, Resident).join(Resident, Contract.resident_id == Resident.id)
             .where(scope.grid_filter(Resident.grid_id), Resident.status == "active",
                    Contract.terminated_on.is_(None), Contract.start_date <= day,
                    Contract.end_date >= day,
                    Contract.end_date <= day + timedelta(days=within),
                    ~later.exists())
             .order_by(Contract.end_date, Resident.name)
             .options(joinedload(Contract.team)))
    return db.session.execute(query).all()


# --- search -----------------------------------------------------------------------------
#
# A search is one of a few shapes: what the box holds (rules.classify_query), whose scope,
# whether a grid is chosen. Each shape's statements are built once, with the typed values
# as bound parameters, and reused: building and compiling them again at every search cost
# several times more than the index seek itself (1M residents, bench/search.py).

_EXACT = {"archive_no": "archive_no", "id_number": "id_number"}  # unique columns
_PREFIX = {"archive_prefix": "archive_no", "phone": "phone", "initials": "name_initials",
           "name": "name"}
# Kinds looked up in several columns at once, each through its own index (OR).
_EITHER = {"initials": (("prefix", "name_initials"), ("prefix", "name_pinyin")),
           "tail": (("equal", "phone_tail"), ("equal", "id_tail"), ("prefix", "phone"))}


def _search_filters(scope: Scope, kind: str | None, by_grid: bool, dialect: str) -> list:
    """The WHERE of a search shape, with bound parameters search_value (search_end) and
    search_grid where `_search_values` fills them."""
    c = Resident.__table__.c
    if scope.grid_ids:
        # A manager's scope lists hundreds of grids: written into the SQL as integers, not
        # bound as hundreds of parameters at every execution, which cost more than the
        # search itself (1M residents). Same rows as scope.grid_filter.
        listed = ", ".join(str(int(g)) for g in sorted(scope.grid_ids))
        filters = [c.grid_id.op("IN")(literal_column(f"({listed})"))]
    else:
        filters = [scope.grid_filter(c.grid_id)]  # all grids, or none at all
    if by_grid:
        filters.append(c.grid_id == bindparam("search_grid"))
    if kind in _EXACT:
        filters.append(c[_EXACT[kind]] == bindparam("search_value"))
    elif kind in _EITHER:
        filters.append(or_(*(c[column] == bindparam("search_value") if how == "equal"
                             else _prefix(c[column], dialect)
                             for how, column in _EITHER[kind])))
    elif kind in _PREFIX:
        filters.append(_prefix(c[_PREFIX[kind]], dialect))
    return filters


def _prefix(column, dialect: str):
    if dialect == "postgresql":
        return column.like(bindparam("search_like"), escape="\\")
    # SQLite compares text by code points, so [p, p + U+10FFFF) is exactly "starts with p",
    # and answered from the index (its LIKE is not).
    return (column >= bindparam("search_value")) & (column < bindparam("search_end"))


def _search_values(kind: str | None, value: str | None, grid_id: int | None,
                   dialect: str) -> dict:
    values = {} if grid_id is None else {"search_grid": grid_id}
    if kind is None:
        return values
    values["search_value"] = value
    if kind in _PREFIX or kind in _EITHER:
        if dialect == "postgresql":
            escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            values["search_like"] = escaped + "%"
        else:
            values["search_end"] = value + "\U0010ffff"
    return values


def _classify(q: str | None) -> tuple[str | None, str | None]:
    return rules.classify_query(q) if q and not q.isspace() else (None, None)


def search_query(scope: Scope, q: str, grid_id: int | None = None):
    """Residents (ORM) the search finds within `scope`, to refine (export, survey entry)."""
    kind, value = _classify(q)
    dialect = db.session.get_bind().dialect.name
    return (select(Resident)
            .where(*_search_filters(scope, kind, grid_id is not None, dialect))
            .params(_search_values(kind, value, grid_id, dialect)))


LIST_COLUMNS = (Resident.id, Resident.archive_no, Resident.name, Resident.sex,
                Resident.birth_date, Resident.id_number, Resident.phone, Resident.household_id,
                Resident.grid_id, Resident.status)
# A row of the search list: plain values of LIST_COLUMNS, read by name.
ListRow = namedtuple("ListRow", [column.key for column in LIST_COLUMNS])


class _Prepared:
    """A search statement compiled once for the database and run on the session's own
    driver connection, inside its transaction. SQLAlchemy's execution path (execution
    context, cursor result, Row objects) costs more than the index seek of an exact search
    itself; the SQL, its parameters, the conversion of values (dates on SQLite) and the
    errors raised stay SQLAlchemy's. Not seen by engine events (before_cursor_execute) nor
    echo logging."""

    def __init__(self, statement, dialect, row=None):
        compiled = statement.compile(dialect=dialect)
        if "POSTCOMPILE" in compiled.string or any(
                bind.type.dialect_impl(dialect).bind_processor(dialect)
                for bind in compiled.binds.values()):
            raise ValueError("a search statement needs no parameter rendering nor conversion")
        self.sql = compiled.string
        self.parameters = _driver_parameters(compiled)
        convert = [(index, processor) for index, processor in (
            (index, column.type.dialect_impl(dialect).result_processor(dialect, None))
            for index, column in enumerate(statement.selected_columns)) if processor]
        self.make = _row_maker(row, convert)

    def rows(self, connection: Connection, values: dict) -> list:
        params = self.parameters(values)
        dbapi_connection = connection.connection.dbapi_connection
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        except connection.dialect.loaded_dbapi.Error as error:
            # As Connection.execute would: a lost connection is not handed out again, and
            # the error is SQLAlchemy's (without the parameters: names and ID numbers).
            invalidated = connection.dialect.is_disconnect(error, dbapi_connection, cursor)
            if invalidated:
                connection.invalidate(error)
            raise DBAPIError.instance(self.sql, params, error,
                                      connection.dialect.loaded_dbapi.Error,
                                      hide_parameters=True, connection_invalidated=invalidated,
                                      dialect=connection.dialect) from error
        finally:
            cursor.close()
        return rows if self.make is None else list(map(self.make, rows))


def _driver_parameters(compiled):
    """named values -> the driver's parameters: the mapping itself where the driver takes
    names (psycopg), a tuple in the SQL's order where it takes positions (sqlite3's ?)."""
    if not compiled.positional:
        return lambda values: values
    names = compiled.positiontup
    if len(names) > 1:
        return itemgetter(*names)
    return lambda values: tuple(values[name] for name in names)  # itemgetter(one) -> value


def _row_maker(row_type, convert: list):
    """driver row -> row_type with the dialect's conversions applied (None: as it is)."""
    if not convert:
        return None if row_type is None else row_type._make
    wrap = (lambda values: values) if row_type is None else row_type._make

    def make(row):
        values = list(row)
        for index, processor in convert:
            values[index] = processor(values[index])
        return wrap(values)
    return make


_PREPARED: dict = {}
_PREPARED_MAX = 1024  # shapes kept; doctors' and managers' scopes are a few hundred at most


def _prepared_search(scope: Scope, kind: str | None, by_grid: bool, dialect):
    """(page, count) of a search shape, compiled on first use."""
    key = (dialect, kind, by_grid, scope.grid_ids)
    found = _PREPARED.get(key)
    if found is None:
        filters = _search_filters(scope, kind, by_grid, dialect.name)
        c = Resident.__table__.c
        page = (select(*(c[column.key] for column in LIST_COLUMNS)).where(*filters)
                .order_by(c.name, c.id)
                .limit(bindparam("search_limit")).offset(bindparam("search_offset")))
        count = select(func.count()).select_from(Resident.__table__).where(*filters)
        if len(_PREPARED) >= _PREPARED_MAX:
            _PREPARED.clear()
        found = _PREPARED[key] = (_Prepared(page, dialect, ListRow), _Prepared(count, dialect))
    return found


def _search_connection(session) -> Connection:
    """The session's connection for residents, in its transaction, looked up once per
    transaction: through Flask-SQLAlchemy's get_bind and the session's bookkeeping the
    lookup cost half as much as the index seek of an exact search (bench/search.py). A
    transaction keeps one connection per database, its savepoints included; one that failed
    (not active) takes the session's own path, which raises what it should."""
    transaction = session.get_transaction()
    known = session.info.get("search_connection")
    if known is not None and known[0] is transaction and transaction.is_active:
        return known[1]
    connection = session.connection(bind_arguments={"mapper": Resident.__mapper__})
    session.info["search_connection"] = (session.get_transaction(), connection)
    return connection


def search_residents(scope: Scope, q: str, grid_id: int | None, page: int, per_page: int):
    """(rows of the page: ListRow, total) among the residents the scope may see."""
    kind, value = _classify(q)
    session = db.session()
    if session.autoflush:  # as an ORM query would: what this request added is found
        session.flush()
    connection = _search_connection(session)
    dialect = connection.dialect
    page_statement, count_statement = _prepared_search(scope, kind, grid_id is not None,
                                                       dialect)
    values = _search_values(kind, value, grid_id, dialect.name)
    values["search_limit"], values["search_offset"] = per_page, (page - 1) * per_page
    # Plain rows of the listed columns: building full ORM objects cost more than the search.
    items = page_statement.rows(connection, values)
    if kind in _EXACT:
        return items, len(items)  # unique columns: the page is the whole answer
    return items, count_statement.rows(connection, values)[0][0]


def timeline(resident: Resident) -> list[TimelineEntry]:
    entries = [TimelineEntry(resident.created_on, "archive", str(_l("Archive created")))]
    for contract in contracts_of(resident):
        entries.append(TimelineEntry(contract.start_date, "contract",
                                     str(_l("Family doctor contract signed"))))
    if resident.status_date:
        entries.append(TimelineEntry(resident.status_date, "exit",
                                     str(_l("Moved out") if resident.status == "moved_out"
                                         else _l("Deceased"))))
    for source in TIMELINE_SOURCES:
        entries.extend(source(resident))
    return sorted(entries, key=lambda e: e.day, reverse=True)


# --- loaders that apply the caller's scope ---------------------------------------------

def get_resident_or_404(resident_id: int) -> Resident:
    from healthgrid.auth.scope import get_in_scope_or_404
    return get_in_scope_or_404(Resident, resident_id, lambda r: r.grid_id)


def get_household_or_404(household_id: int) -> Household:
    from healthgrid.auth.scope import get_in_scope_or_404
    return get_in_scope_or_404(Household, household_id, lambda h: h.grid_id)


def programs_of(resident: Resident) -> frozenset[str]:
    """Active chronic programs (the chronic domain fills PROGRAM_SOURCES)."""
    return frozenset(p for source in PROGRAM_SOURCES for p in source(resident))


PROGRAM_SOURCES = Hooks()
# The same for a page of search results: source(ids) -> {resident id: [program, ...]}.
PROGRAMS_OF_MANY = Hooks()


def programs_by_resident(resident_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for source in PROGRAMS_OF_MANY:
        for resident_id, programs in source(resident_ids).items():
            found.setdefault(resident_id, []).extend(programs)
    return found


def key_populations_of(resident: Resident, day: date) -> list[str]:
    return rules.key_populations(rules.PersonFacts(
        resident.birth_date, resident.sex, resident.pregnant, resident.severe_mental_illness,
        resident.disabled, programs_of(resident)), day)
