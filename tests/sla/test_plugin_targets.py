"""The shipped plugins' response targets against their documents (issue 13): each target
follows the priority the plugin gives the case, not only its severity. Times in the comments
are the vendor's wall-clock time; the expectations are naive UTC."""

from datetime import datetime

from helpdesk.accounts.models import Organisation
from helpdesk.cases import service
from helpdesk.sla.models import CaseClock


def due(case) -> datetime | None:
    return CaseClock.get(CaseClock.case == case.id).response_due_at


def contract(vendor, key: str) -> None:
    """The demo organisation's contract class becomes ``key``."""
    Organisation.update(contract_class=key).execute()


def test_small_vendor_targets_follow_the_effective_priority(vendor):
    # Seed 004: "Im Fehlerfalle ist die Angabe Ihrer Priorität (gemäß Pflegevertrag A, B oder
    # C) sehr wichtig": the priority is the stated one for an error, capped by the contract;
    # an extension is priority C whatever was stated, so it gets the C target (16 h).
    v = vendor("small_vendor")
    contract(v, "A")
    v.at("2026-11-30T08:00:00")  # Monday 09:00 Berlin
    extension = v.open("extension", "a")
    assert extension.priority == "c"
    # 16 business hours: Mon 09-17 (8 h), Tue 08-16 (8 h) -> Tuesday 16:00 Berlin
    assert due(extension) == datetime(2026, 12, 1, 15, 0)
    error_b = v.open("error", "b", subject="Impaired")
    assert error_b.priority == "b" and due(error_b) == datetime(2026, 11, 30, 12, 0)  # 4 h


def test_small_vendor_priority_a_is_worked_at_night(vendor):
    # "gegebenenfalls entstehen aber auch höhere Kosten wenn z. B. bei Prio A auch nachts an
    # Ihrem Problem gearbeitet werden muss": A runs on a 24/7 calendar.
    v = vendor("small_vendor", start="2026-12-05T21:00:00")
    contract(v, "A")
    case = v.open("error", "a")  # Saturday 22:00 Berlin
    assert case.priority == "a"
    assert due(case) == datetime(2026, 12, 5, 22, 0)  # 1 hour later, on a Saturday night
    page = v.app.test_client().sign_in_as(v.people["erik.first"])
    text = page.get(f"/cases/{case.call_id}").get_data(as_text=True)
    assert "1 business hour (calendar 24/7)" in text
    # Downgraded to B by an agent: business hours again, from the clock's start -> Monday
    # 08:00 + 4 h = 12:00 Berlin
    service.change_field(case, v.people["erik.first"], "priority", "b", "Not so urgent")
    assert due(case) == datetime(2026, 12, 7, 11, 0)


def test_erp_handbook_cloud_outage_gets_the_high_priority_target(vendor):
    # Seed 000: "Cloud Ausfall: Die Applikation ist in der Cloud nicht erreichbar" is always
    # high priority; a high-priority case is answered within Dringend's 4 business hours.
    v = vendor("erp_handbook")
    v.at("2026-11-30T08:00:00")  # Monday 09:00 Vienna
    outage = v.open("cloud_outage", "minor")
    assert outage.priority == "high"
    assert due(outage) == datetime(2026, 11, 30, 12, 0)  # 13:00 Vienna, not 16 h later
    critical = v.open("general_request", "critical", subject="Down")
    assert due(critical) == datetime(2026, 11, 30, 10, 0)  # Kritisch keeps its 2 h
    minor = v.open("general_request", "minor", subject="Typo")
    assert minor.priority == "low"
    # 16 h: Mon 8 h, Tue 8 h -> Tuesday 16:00 Vienna
    assert due(minor) == datetime(2026, 12, 1, 15, 0)


def test_erp_portal_change_request_capped_at_normal_gets_the_normal_target(vendor):
    # Seed 001 names no times; ours: a change request is never above normal priority, and
    # normal priority is answered within 8 business hours, not the 1 h of "operation stopped".
    v = vendor("erp_portal")
    v.at("2026-11-30T07:00:00")  # Monday 08:00 Berlin
    change = v.open("change_request", "stopped")
    assert change.priority == "normal"
    # 8 h with the lunch break 12-13: Monday 08:00-12:00, 13:00-17:00 -> 17:00 Berlin
    assert due(change) == datetime(2026, 11, 30, 16, 0)
    error = v.open("error", "stopped", subject="Down")
    assert error.priority == "high" and due(error) == datetime(2026, 11, 30, 8, 0)  # 1 h
