"""One survey per case: written when the survey mail goes out, answered at most once."""

from peewee import AutoField, DateTimeField, ForeignKeyField, IntegerField, TextField

from helpdesk.cases.models import Case
from helpdesk.db import BaseModel
from helpdesk.timeutil import utcnow

#: The answers a survey offers, worst to best.
RATINGS = (1, 2, 3, 4, 5)


class SurveyResponse(BaseModel):
    id = AutoField()
    case = ForeignKeyField(Case, unique=True, backref="survey", on_delete="CASCADE")
    sent_at = DateTimeField(default=utcnow)
    rating = IntegerField(null=True)  # 1 (poor) to 5 (excellent); None until answered
    comment = TextField(null=True)
    answered_at = DateTimeField(null=True)

    class Meta:
        # The report lists the newest answers first.
        indexes = ((("answered_at",), False),)
