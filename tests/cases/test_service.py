"""The case domain functions, called as every channel calls them."""

import json
import threading

import pytest

from helpdesk.accounts.models import Organisation, User
from helpdesk.cases import access, search, service
from helpdesk.cases.models import Case, Event, EventKind, Visibility
from helpdesk.db import db, is_sqlite
from helpdesk.products.models import Component, Product, ProductVersion


def _kinds(case):
    return [e.kind for e in Event.select().where(Event.case == case).order_by(Event.id)]


def test_open_case_gives_call_id_priority_route_and_first_event(ctx, open_case):
    case = open_case(severity="critical", impact="All invoices are blocked.")
    year = case.created_at.year
    assert case.call_id == f"{year}-00001"
    assert open_case().call_id == f"{year}-00002"
    assert case.priority == "high"  # the core maps critical to high
    assert case.status == "new" and case.status_category == "new"
    assert case.team.key == "support"
    assert _kinds(case) == [EventKind.OPENED]


def test_top_severities_need_an_impact_justification(ctx, open_case):
    with pytest.raises(service.CaseError) as error:
        open_case(severity="high", impact="  ")
    assert error.value.field == "impact"
    assert not Case.select().exists()


def test_version_and_component_must_belong_to_the_product(ctx, open_case):
    other = Product.create(key="other", name="Other")
    foreign_version = ProductVersion.create(product=other, name="1.0")
    foreign_component = Component.create(product=other, key="x", name="X")
    with pytest.raises(service.CaseError) as error:
        open_case(version=foreign_version)
    assert error.value.field == "version"
    with pytest.raises(service.CaseError) as error:
        open_case(component=foreign_component)
    assert error.value.field == "component"


def test_only_support_authorised_customers_open_cases(ctx, open_case):
    User.update(support_authorised=False).where(User.id == ctx["mia.member"].id).execute()
    ctx["mia.member"] = User.get_by_id(ctx["mia.member"].id)
    with pytest.raises(service.CaseError) as error:
        open_case(requester="mia.member")
    assert error.value.field == "requester"


def test_phone_case_is_opened_by_the_agent_for_the_customer(ctx, open_case):
    case = open_case(channel="phone", opened_by=ctx["erik.first"])
    assert case.requester.id == ctx["mia.member"].id
    assert case.opened_by.id == ctx["erik.first"].id
    opened = Event.get(Event.case == case)
    assert opened.author.id == ctx["erik.first"].id and opened.new_value == "phone"


def test_customer_message_on_a_waiting_case_hands_the_ball_back(ctx, open_case):
    case = open_case()
    service.move_status(case, ctx["erik.first"], "waiting", waiting_for="the log file")
    case = Case.get_by_id(case.id)
    assert case.status_category == "waiting" and case.waiting_for == "the log file"

    service.add_message(case, ctx["mia.member"], "Here is the log.")

    case = Case.get_by_id(case.id)
    assert case.status_category == "open" and case.waiting_for is None
    message = Event.get((Event.case == case) & (Event.kind == EventKind.MESSAGE))
    assert message.visibility == Visibility.PUBLIC


def test_internal_notes_are_for_agents_and_hidden_from_customers(ctx, open_case):
    case = open_case()
    service.add_message(case, ctx["erik.first"], "Customer uses an old driver.", internal=True)
    service.add_message(case, ctx["erik.first"], "Please update the driver.")
    with pytest.raises(service.CaseError):
        service.add_message(case, ctx["mia.member"], "sneaky", internal=True)
    customer_view = [e.body for e in access.visible_events(ctx["mia.member"], case)]
    agent_view = [e.body for e in access.visible_events(ctx["erik.first"], case)]
    assert "Customer uses an old driver." in agent_view
    assert "Customer uses an old driver." not in customer_view
    assert "Please update the driver." in customer_view


def test_message_recipients_are_requester_and_followers(ctx, open_case):
    case = open_case()
    service.follow(case, ctx["martin.main"])
    event = service.add_message(case, ctx["erik.first"], "We are on it.")
    assert json.loads(event.recipients) == sorted([ctx["mia.member"].id, ctx["martin.main"].id])


def test_severity_change_rederives_priority_and_records_both(ctx, open_case):
    case = open_case()
    service.change_field(case, ctx["erik.first"], "severity", "critical", reason="Production down")
    case = Case.get_by_id(case.id)
    assert (case.severity, case.priority) == ("critical", "high")
    changes = {
        e.field: (e.old_value, e.new_value, e.body)
        for e in Event.select().where((Event.case == case) & (Event.kind == EventKind.FIELD))
    }
    assert changes["severity"] == ("normal", "critical", "Production down")
    assert changes["priority"] == ("normal", "high", None)


def test_a_field_change_keeps_what_another_request_changed_meanwhile(ctx, open_case):
    """The agent's page read the case before a colleague moved and assigned it: changing the
    severity writes the severity and what follows from it, not the rest of the old row."""
    case = open_case()
    stale = Case.get_by_id(case.id)
    erik, sara = ctx["erik.first"], ctx["sara.second"]
    service.assign(Case.get_by_id(case.id), erik, sara)
    service.move_status(Case.get_by_id(case.id), erik, "waiting", waiting_for="the log file")
    service.change_field(stale, erik, "severity", "critical", reason="Production down")
    case = Case.get_by_id(case.id)
    assert (case.severity, case.priority) == ("critical", "high")
    assert (case.status, case.waiting_for, case.assignee_id) == ("waiting", "the log file", sara.id)


def test_customers_cannot_change_fields(ctx, open_case):
    with pytest.raises(service.CaseError):
        service.change_field(open_case(), ctx["mia.member"], "priority", "high")


def test_status_moves_ask_the_plugins(ctx, open_case):
    case = open_case()
    with pytest.raises(service.CaseError):
        service.move_status(case, ctx["mia.member"], "solved")  # not customer_may_set
    service.move_status(case, ctx["erik.first"], "solved")
    assert Case.get_by_id(case.id).status_category == "solved"


def test_assign_opens_a_new_case(ctx, open_case):
    case = open_case()
    service.assign(case, ctx["sara.second"], ctx["sara.second"])
    case = Case.get_by_id(case.id)
    assert case.assignee.id == ctx["sara.second"].id and case.status_category == "open"
    with pytest.raises(service.CaseError):
        service.assign(case, ctx["sara.second"], ctx["mia.member"])  # not an agent


def test_reopen_solved_case_or_else_follow_up(ctx, open_case):
    case = open_case()
    service.move_status(case, ctx["erik.first"], "solved")
    service.reopen(Case.get_by_id(case.id), ctx["mia.member"], "Still fails on Mondays.")
    assert Case.get_by_id(case.id).status_category == "open"

    service.move_status(Case.get_by_id(case.id), ctx["erik.first"], "closed")
    with pytest.raises(service.CaseError):
        service.reopen(Case.get_by_id(case.id), ctx["mia.member"], "Again")
    follow_up = service.open_follow_up(
        Case.get_by_id(case.id), ctx["mia.member"], "Again failing", "Same error."
    )
    assert follow_up.parent.id == case.id
    assert EventKind.FOLLOW_UP in _kinds(case)


def test_follow_and_unfollow_once(ctx, open_case):
    case = open_case()
    assert service.follow(case, ctx["martin.main"]) is True
    assert service.follow(case, ctx["martin.main"]) is False
    assert service.is_following(case, ctx["martin.main"])
    assert service.unfollow(case, ctx["martin.main"]) is True
    assert service.unfollow(case, ctx["martin.main"]) is False


def test_visibility_by_organisation_setting(ctx, open_case):
    own = open_case(requester="mia.member")
    colleagues = open_case(requester="alma.admin")
    visible = lambda who: {c.id for c in access.visible_cases(User.get_by_id(ctx[who].id))}  # noqa: E731
    assert visible("mia.member") == {own.id}  # a member sees own cases
    assert visible("martin.main") == {own.id, colleagues.id}  # a main contact sees all
    with pytest.raises(service.CaseError):
        service.follow(colleagues, ctx["mia.member"])  # she cannot see it to follow it
    service.follow(colleagues, ctx["mia.member"], added_by=ctx["alma.admin"])
    assert visible("mia.member") == {own.id, colleagues.id}  # and the followed ones
    Organisation.update(case_visibility="everyone").execute()
    service.unfollow(colleagues, ctx["mia.member"])
    assert visible("mia.member") == {own.id, colleagues.id}


def test_other_organisations_cases_are_invisible(ctx, open_case):
    case = open_case()
    other = Organisation.create(name="Fremd AG")
    stranger = User.create(
        email="x@fremd.example",
        name="X",
        kind="customer",
        organisation=other,
        customer_role="portal_admin",
        support_authorised=True,
    )
    assert access.case_for(stranger, case.id) is None
    assert access.case_by_call_id(stranger, case.call_id) is None
    assert not access.may_write(stranger, case)
    with pytest.raises(service.CaseError):
        service.add_message(case, stranger, "hello")


def test_a_case_fetched_for_one_person_is_not_writable_for_another(ctx, open_case):
    case = open_case(requester="alma.admin")
    fetched = access.case_by_call_id(ctx["alma.admin"], case.call_id)
    assert access.may_write(ctx["alma.admin"], fetched)
    assert not access.may_write(ctx["mia.member"], fetched)  # a colleague's, not followed


def test_search_finds_words_prefixes_umlauts_and_call_ids_but_not_notes(ctx, open_case):
    first = open_case(subject="Drucker druckt keine Rechnungen", description="Fehler 4711")
    second = open_case(subject="Lieferschein", description="Übergabe an Spedition fehlt")
    service.add_message(second, ctx["erik.first"], "geheimnis intern", internal=True)
    service.add_message(second, ctx["erik.first"], "Bitte Lieferadresse prüfen")

    def found(text):
        return {c.id for c in search.narrow(Case.select(), text)}

    assert found("drucker") == {first.id}
    assert found("Rechnung") == {first.id}  # prefix
    assert found("ubergabe") == {second.id}  # diacritics folded
    assert found("lieferadresse") == {second.id}  # public message
    assert found("geheimnis") == set()  # internal notes are never indexed
    assert found(second.call_id) == {second.id}
    assert found("drucker 4711") == {first.id}
    assert found("drucker lieferschein") == set()


def test_search_words_fold_case_accents_and_sharp_s():
    assert search.words("Straße, Übergabe: Fehler_4711!") == [
        "strasse",
        "ubergabe",
        "fehler",
        "4711",
    ]


def test_a_search_word_stands_for_every_indexed_word_it_begins(ctx, open_case, monkeypatch):
    """Expanded from the table of indexed words, or, past ``MAX_EXPANSION`` of them, left to
    the database's own prefix search: both find the same cases, newest first."""
    older = open_case(subject="Drucker offline", description="Straßenbahn")
    newer = open_case(subject="Druckerei meldet", description="nichts")
    other = open_case(subject="Scanner", description="Druck ist weg")

    def newest_first(text):
        return [c.id for c in search.newest_first(Case.select(), text)]

    assert newest_first("druck") == [other.id, newer.id, older.id]
    if is_sqlite():  # PostgreSQL stems "drucker" to "druck" and keeps the "ß"
        assert newest_first("drucker") == [newer.id, older.id]
        assert newest_first("strassenb") == [older.id]
    monkeypatch.setattr(search, "MAX_EXPANSION", 1)
    assert newest_first("druck") == [other.id, newer.id, older.id]
    assert {c.id for c in search.narrow(Case.select(), "druck")} == {other.id, newer.id, older.id}


def test_call_ids_stay_unique_when_opened_at_once(ctx, open_case, app):
    """Threads open cases at the same moment; every call id is different."""
    people = ctx
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                with db.connection_context():
                    for _ in range(5):
                        results.append(
                            service.open_case(
                                service.NewCase(
                                    requester=User.get_by_id(people["mia.member"].id),
                                    product=Product.select().first(),
                                    subject="Concurrent",
                                    description="d",
                                    case_type="fault",
                                    severity="normal",
                                )
                            ).call_id
                        )
            except Exception as error:  # collected and asserted below
                errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 20 and len(set(results)) == 20
