"""The timeline's entries (helpdesk/cases/timeline_markup.py): a sentence for every kind of
entry, in the reader's language, with every name and value from the database escaped."""

import pytest

from helpdesk.accounts.models import User
from helpdesk.cases import service
from helpdesk.cases.models import Case
from helpdesk.escalation import service as escalation

NAME = '<script>alert("x")</script> & Co'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co"

SENTENCES = {
    "en": [
        f"{ESCAPED} wrote:",
        "Erik First added an internal note:",
        "Erik First took the case.",
        "Erik First changed Severity from Normal to High.",
        f"Erik First added {ESCAPED} as a follower.",
        f"{ESCAPED} stopped following the case.",
        "Erik First opened the follow-up case <a href=",
        f"{ESCAPED} asked for escalation to level 1:",
    ],
    "de": [
        f"{ESCAPED} schrieb:",
        "Erik First hat eine interne Notiz hinzugefügt:",
        "Erik First hat den Fall übernommen.",
        f"Erik First hat {ESCAPED} als Folgende(n) hinzugefügt.",
        f"{ESCAPED} folgt dem Fall nicht mehr.",
        "Erik First hat den Folgefall <a href=",
    ],
}


@pytest.fixture
def busy_case(ctx, open_case):
    """A case with an entry of most kinds, by a customer whose name is markup."""
    mia, erik = ctx["mia.member"], ctx["erik.first"]
    User.update(name=NAME).where(User.id == mia.id).execute()
    mia = User.get_by_id(mia.id)
    case = open_case(requester="mia.member")

    def fresh():
        return Case.get_by_id(case.id)

    service.add_message(fresh(), mia, "Hello <b>there</b>")
    service.add_message(fresh(), erik, "A note", internal=True)
    service.assign(fresh(), erik, erik)
    service.change_field(fresh(), erik, "severity", "high", "because <why>")
    service.follow(fresh(), mia, erik)
    service.unfollow(fresh(), mia)
    open_case(requester="mia.member", parent=fresh(), opened_by=erik)
    escalation.request_escalation(fresh(), mia, "Faster <please>")
    return case


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_kind_of_entry_reads_in_the_language_with_names_escaped(
    app, ctx, busy_case, language
):
    User.update(language=language).where(User.id == ctx["erik.first"].id).execute()
    client = app.test_client().sign_in_as(ctx["erik.first"])
    page = client.get(f"/cases/{busy_case.call_id}").get_data(as_text=True)
    for sentence in SENTENCES[language]:
        assert sentence in page
    assert "<script>alert" not in page
    assert "because &lt;why&gt;" in page
    assert "Hello <strong>there</strong>" not in page  # a message's HTML is text
    assert "Hello &lt;b&gt;there&lt;/b&gt;" in page
    assert 'class="badge internal"' in page
