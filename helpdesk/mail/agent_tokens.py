"""Proof that a mail is an agent's answer to the portal's own mail about a case (MAIL-3, PERM).

A From header says whatever its writer typed, so an agent's address in From proves nothing.
Every mail the portal sends an agent about a case carries a token in its Message-ID: an HMAC
over the case and the agent, under a key derived from ``SECRET_KEY`` for this purpose alone.
The agent's mail program answers with that Message-ID in In-Reply-To and References, and the
intake lets a mail act as an agent on a case only when one of them holds a token that
verifies for that agent and that case (compared in constant time).

Why the Message-ID and not a plus-address Reply-To (``support+token@...``): Outlook, Gmail,
Apple Mail and Thunderbird all put the Message-ID they answer into In-Reply-To and References
(RFC 5322, 3.6.4) and keep it for the whole thread, without showing it to anyone. A
plus-address needs an MTA and a mailbox that deliver sub-addresses (Postfix's
``recipient_delimiter``; not every hosted mailbox does), and mail programs remember it in
their address completion, so an agent's next new mail would carry another case's address.

The token is a capability, not a secret from its agent: whoever has it and writes From that
agent's address answers that case as that agent. The portal puts it only into mail to that
agent (customers' mail has plain Message-IDs); an agent who copies a customer into an answer
to the portal hands them the token of that case. Changing ``SECRET_KEY`` ends every token.
"""

import hashlib
import hmac
import re
from collections.abc import Iterable

from flask import current_app

#: Labels the key, so no other use of SECRET_KEY can produce or check these MACs.
_PURPOSE = b"helpdesk: an agent's answer by mail to a case, v1"

#: The token as the last part of a Message-ID's left-hand side (``outbox.enqueue(id_tag=)``).
_IN_MESSAGE_ID = re.compile(r"^<[^<>@]*\.agent-(\d{1,18})-(\d{1,18})-([0-9a-f]{32})@[^<>@]+>$")


def tag(case_id: int, agent_id: int) -> str:
    """The token for mail to agent ``agent_id`` about case ``case_id``, for its Message-ID."""
    return f"agent-{case_id}-{agent_id}-{_mac(case_id, agent_id)}"


def proven_cases(message_ids: Iterable[str], agent_id: int) -> list[int]:
    """The cases that tokens of agent ``agent_id`` among ``message_ids`` prove, in order."""
    cases = []
    for message_id in message_ids:
        found = _IN_MESSAGE_ID.match(message_id)
        if found is None or int(found[2]) != agent_id:
            continue
        case_id = int(found[1])
        if hmac.compare_digest(found[3], _mac(case_id, agent_id)) and case_id not in cases:
            cases.append(case_id)
    return cases


def _mac(case_id: int, agent_id: int) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    key = hmac.new(secret, _PURPOSE, hashlib.sha256).digest()
    return hmac.new(key, f"{case_id}:{agent_id}".encode(), hashlib.sha256).hexdigest()[:32]
