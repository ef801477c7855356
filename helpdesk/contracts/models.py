"""An organisation's contracts with their products and files, and the documents of its
data-processing agreement (AVV).

A contract without products covers every product. The agreement's state follows from its
timestamps (``Agreement.state``); each step keeps its own file, so nothing is overwritten.
"""

from peewee import (
    AutoField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from helpdesk.accounts.models import Organisation, User
from helpdesk.db import BaseModel
from helpdesk.products.models import Product
from helpdesk.timeutil import utcnow


class Contract(BaseModel):
    id = AutoField()
    organisation = ForeignKeyField(Organisation, backref="contracts", on_delete="CASCADE")
    kind = CharField(max_length=50)  # a key of helpdesk_contract_kinds
    contract_class = CharField(max_length=50, null=True)  # a key of helpdesk_contract_classes
    title = CharField(max_length=200)
    starts_on = DateField()
    ends_on = DateField(null=True)  # None: runs until it is given notice
    notice_period = CharField(max_length=100, null=True)  # as the contract words it
    # A support units contract (kind "units"): units bought, each so many minutes long.
    units_bought = IntegerField(null=True)
    unit_minutes = IntegerField(default=60)
    low_balance_mailed_at = DateTimeField(null=True)  # the main contacts were told, once
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("organisation", "starts_on"), False),)


class ContractProduct(BaseModel):
    contract = ForeignKeyField(Contract, backref="products", on_delete="CASCADE")
    product = ForeignKeyField(Product, on_delete="CASCADE")

    class Meta:
        primary_key = CompositeKey("contract", "product")


class StoredDocument(BaseModel):
    """The columns of a kept file (``helpdesk.cases.files.store``)."""

    id = AutoField()
    filename = CharField(max_length=200)
    stored_name = CharField(max_length=64)
    content_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    uploaded_at = DateTimeField(default=utcnow)


class ContractFile(StoredDocument):
    contract = ForeignKeyField(Contract, backref="files", on_delete="CASCADE")


class AgreementFile(StoredDocument):
    """A document of an organisation's AVV; the vendor's template has no organisation."""

    organisation = ForeignKeyField(Organisation, null=True, on_delete="CASCADE")
    kind = CharField(max_length=20)  # template, blank, signed, countersigned

    class Meta:
        indexes = ((("organisation", "kind", "id"), False),)


class Agreement(BaseModel):
    organisation = ForeignKeyField(Organisation, primary_key=True, on_delete="CASCADE")
    issued_at = DateTimeField(null=True)
    signed_at = DateTimeField(null=True)
    countersigned_at = DateTimeField(null=True)

    @property
    def state(self) -> str:
        if self.countersigned_at:
            return "countersigned"
        if self.signed_at:
            return "signed"
        return "issued" if self.issued_at else "none"
