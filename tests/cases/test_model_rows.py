"""``helpdesk.model_rows``: a prepared query's rows made as peewee makes them, joined rows
and missing outer joins alike."""

from peewee import JOIN, SQL, Model

from helpdesk import model_rows
from helpdesk.accounts.models import Team, User
from helpdesk.cases.models import Case, Event
from helpdesk.db import Prepared
from helpdesk.products.models import Product, ProductVersion

Assignee = User.alias()


def _cases(call_id):
    """A case with an inner join, outer joins through foreign keys, an aliased model and a
    column of no field (as the case page's query has them)."""
    return (
        Case.select(Case, Product, ProductVersion, Team, Assignee, SQL("1").alias("marked"))
        .join_from(Case, Product, attr="product")
        .join_from(Case, ProductVersion, JOIN.LEFT_OUTER, attr="version")
        .join_from(Case, Team, JOIN.LEFT_OUTER, attr="team")
        .join_from(
            Case, Assignee, JOIN.LEFT_OUTER, on=Case.assignee == Assignee.id, attr="assignee"
        )
        .where(Case.call_id == call_id)
    )


def _events(case_id):
    """A timeline with its authors, some of them the system (no author)."""
    return (
        Event.select(Event, User.id, User.name)
        .join(User, JOIN.LEFT_OUTER, on=Event.author == User.id)
        .where(Event.case == case_id)
        .order_by(Event.id)
    )


def _state(value):
    """All a model instance holds: values, joined rows, dirty fields, other attributes."""
    if not isinstance(value, Model):
        return value
    others = {k: v for k, v in vars(value).items() if k not in ("__data__", "__rel__", "_dirty")}
    return (
        type(value),
        dict(value.__data__),
        {name: _state(row) for name, row in value.__rel__.items()},
        set(value._dirty),
        {name: _state(v) for name, v in others.items()},
    )


def test_rows_are_made_as_peewee_makes_them(ctx, open_case, monkeypatch):
    builders = []
    builder = model_rows.builder
    monkeypatch.setattr(
        model_rows, "builder", lambda w: builders.append(builder(w)) or builders[-1]
    )
    bare = open_case(subject="No version, team or assignee")
    Case.update(team=None, assignee=None).where(Case.id == bare.id).execute()  # routing's
    full = open_case(subject="Everything set")
    version = ProductVersion.create(product=full.product, name="9.9")
    Case.update(version=version, team=Team.select().first(), assignee=ctx["erik.first"]).where(
        Case.id == full.id
    ).execute()
    Event.create(case=full, kind="note", visibility="internal", body="From the system")
    cases = Prepared(_cases, "(call id)")
    events = Prepared(_events, -1)
    for prepared, build, value in (
        (cases, _cases, bare.call_id),
        (cases, _cases, full.call_id),
        (events, _events, full.id),
        (events, _events, bare.id),
    ):
        expected = [_state(row) for row in build(value)]
        assert [_state(row) for row in prepared(value)] == expected
        assert [_state(row) for row in prepared(value)] == expected
    assert len(builders) == 2 and None not in builders  # both queries went the quicker way
    for shape in ("dicts", "tuples", "objects"):  # rows of any other shape: peewee's own
        prepared = Prepared(lambda case_id, shape=shape: getattr(_events(case_id), shape)(), -1)
        expected = [_state(row) for row in getattr(_events(full.id), shape)()]
        for _ in range(2):
            rows = prepared(full.id)
            assert [_state(row) for row in rows] == expected
            if shape == "objects":
                assert {type(row) for row in rows} == {Event}
    shown = cases.first(bare.call_id)
    assert (shown.version, shown.team, shown.assignee) == (None, None, None)
    shown = cases.first(full.call_id)
    assert (shown.version.name, shown.assignee.name) == ("9.9", ctx["erik.first"].name)
    assert [e.author.name if e.author else None for e in events(full.id)][-1] is None


def test_rows_of_one_model_are_made_as_peewee_makes_them(ctx, open_case, monkeypatch):
    """``model_rows.filled``: a plain select's rows (every column a field), rows with a
    column of no field or a foreign key's id by its column name (peewee's own way), and a
    model made by hand (``__data__`` from defaults, every field dirty) are as peewee makes
    them."""
    case = open_case(subject="One model")
    Event.create(case=case, kind="note", visibility="internal", body="A note")
    queries = (
        lambda: Case.select().where(Case.id == case.id),
        lambda: Event.select().where(Event.case == case.id).order_by(Event.id),
        lambda: Event.select(Event, SQL("1").alias("marked")).where(Event.case == case.id),
        lambda: Event.select(Event.id, Event.case.alias("case_id")).where(Event.case == case.id),
    )
    ours = [[_state(row) for row in query()] for query in queries]
    made = _state(Team(name_de="Neu", name_en="New"))
    monkeypatch.setattr(model_rows, "filled", lambda instance, values: False)
    assert ours == [[_state(row) for row in query()] for query in queries]
    assert made == _state(Team(name_de="Neu", name_en="New"))
    assert ours[0][0][1]["subject"] == "One model" and not ours[0][0][3]  # nothing dirty
    assert len(ours[1]) >= 2 and ours[2][0][4] == {"marked": 1}
