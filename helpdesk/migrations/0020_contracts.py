"""Contracts, their products and files, the data-processing agreement, time records, timers
and settlements (issue 15).

An organisation's single ``contract_class`` becomes a maintenance contract of that class
covering every product, running from the organisation's creation; the column is emptied, so
the contract alone decides (an admin may still set the column: it stands in for
organisations without a covering contract). The models below are frozen copies of the
tables as they were in this release.
"""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from helpdesk.migrations import existing, frozen_base


def upgrade(db, migrator):
    Base = frozen_base(db)
    Organisation = existing(Base, "organisation")
    User = existing(Base, "user")
    Product = existing(Base, "product")

    class Contract(Base):
        id = AutoField()
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        kind = CharField(max_length=50)
        contract_class = CharField(max_length=50, null=True)
        title = CharField(max_length=200)
        starts_on = DateField()
        ends_on = DateField(null=True)
        notice_period = CharField(max_length=100, null=True)
        units_bought = IntegerField(null=True)
        unit_minutes = IntegerField(default=60)
        low_balance_mailed_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            indexes = ((("organisation", "starts_on"), False),)

    class ContractProduct(Base):
        contract = ForeignKeyField(Contract, on_delete="CASCADE")
        product = ForeignKeyField(Product, on_delete="CASCADE")

        class Meta:
            primary_key = CompositeKey("contract", "product")

    class Stored(Base):
        id = AutoField()
        filename = CharField(max_length=200)
        stored_name = CharField(max_length=64)
        content_type = CharField(max_length=100)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        uploaded_at = DateTimeField()

    class ContractFile(Stored):
        contract = ForeignKeyField(Contract, on_delete="CASCADE")

    class AgreementFile(Stored):
        organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
        kind = CharField(max_length=20)

        class Meta:
            indexes = ((("organisation", "kind", "id"), False),)

    class Agreement(Base):
        organisation = ForeignKeyField(Organisation, primary_key=True, on_delete="CASCADE")
        issued_at = DateTimeField(null=True)
        signed_at = DateTimeField(null=True)
        countersigned_at = DateTimeField(null=True)

    Case = existing(Base, "case")

    class TimeRecord(Base):
        id = AutoField()
        case = ForeignKeyField(Case, on_delete="CASCADE")
        organisation = ForeignKeyField(Organisation, on_delete="CASCADE")
        agent = ForeignKeyField(User, null=True, on_delete="SET NULL")
        worked_on = DateField()
        minutes = IntegerField()
        activity = CharField(max_length=100)
        note = TextField(null=True)
        billable = BooleanField()
        reason = TextField(null=True)
        corrects = ForeignKeyField("self", null=True, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            indexes = ((("case", "id"), False), (("organisation", "worked_on"), False))

    class RunningTimer(Base):
        case = ForeignKeyField(Case, on_delete="CASCADE")
        agent = ForeignKeyField(User, on_delete="CASCADE")
        started_at = DateTimeField()

        class Meta:
            primary_key = CompositeKey("case", "agent")

    class Settlement(Base):
        case = ForeignKeyField(Case, primary_key=True, on_delete="CASCADE")
        billable = BooleanField()
        settled_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        settled_at = DateTimeField()

    class UnitDraw(Base):
        id = AutoField()
        record = ForeignKeyField(TimeRecord, unique=True, on_delete="CASCADE")
        contract = ForeignKeyField(Contract, on_delete="CASCADE")
        minutes = IntegerField()
        created_at = DateTimeField()

    db.create_tables(
        [
            Contract,
            ContractProduct,
            ContractFile,
            AgreementFile,
            Agreement,
            TimeRecord,
            RunningTimer,
            Settlement,
            UnitDraw,
        ]
    )
    rows = db.execute_sql(
        "SELECT id, contract_class, created_at FROM organisation "
        "WHERE contract_class IS NOT NULL AND contract_class <> ''"
    ).fetchall()
    for organisation_id, contract_class, created_at in rows:
        started = created_at if hasattr(created_at, "date") else None
        Contract.insert(
            organisation=organisation_id,
            kind="maintenance",
            contract_class=contract_class,
            title="Wartungsvertrag",
            starts_on=started.date() if started else str(created_at)[:10],
            created_at=created_at,
        ).execute()
    db.execute_sql("UPDATE organisation SET contract_class = NULL")
