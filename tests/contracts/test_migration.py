"""Migration 0020: an organisation's single contract class becomes a maintenance contract of
that class covering every product, and the column is emptied."""

from datetime import date

from peewee import SqliteDatabase

from helpdesk import migrations
from helpdesk.db import db
from tests.test_migrations import empty_database  # noqa: F401  (the fixture)


def test_the_contract_class_becomes_a_contract(empty_database):  # noqa: F811
    migrations.upgrade(target=19)
    true = "1" if isinstance(db.obj, SqliteDatabase) else "true"
    for name, contract_class in (("Klasse B GmbH", "'B'"), ("Ohne AG", "NULL")):
        db.execute_sql(
            "INSERT INTO organisation (name, case_visibility, is_active, created_at, "
            f"contract_class) VALUES ('{name}', 'everyone', {true}, "
            f"'2026-02-03 10:00:00', {contract_class})"
        )

    migrations.upgrade()

    from helpdesk.accounts.models import Organisation
    from helpdesk.contracts.models import Contract, ContractProduct

    classed = Organisation.get(Organisation.name == "Klasse B GmbH")
    assert classed.contract_class is None
    contract = Contract.get(Contract.organisation == classed.id)
    assert (contract.kind, contract.contract_class) == ("maintenance", "B")
    assert contract.starts_on == date(2026, 2, 3) and contract.ends_on is None
    assert not ContractProduct.select().exists()  # covers every product
    assert Contract.select().count() == 1
