"""SecureNLG: the example bot's responses rendered on the guarded action server.

Rasa renders ``utter_*`` responses itself and shows the slot values they echo in full to any
caller. With ``nlg: type: callback`` pointed at ``/webhook/nlg``, the guarded action server
renders them instead, with the slot values as the policy discloses them to the caller.
The renderer is checked against Rasa's own code (installed in the test environment), the
route over real HTTP, and Rasa's own ``CallbackNaturalLanguageGenerator`` against it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

import pytest
import requests
from rasa_sdk import Tracker

from rasa_secure.actions import ActionGuard
from rasa_secure.actions.nlg import (
    NLG_PATH,
    SecureNLG,
    eligible_variations,
    interpolate_text,
    load_responses,
)
from rasa_secure.core.identity import WITHHELD
from rasa_secure.errors import ConfigError, InputError
from tests.actions.conftest import (
    ENV,
    REPO,
    SHARED,
    cli_env,
    cli_server,
    envelope,
    sample_app,
    tracker,
)

BOT = REPO / "example_bot"
EMAIL = "ada.lovelace@example.org"
MASKED_EMAIL = "****.org"  # mask_last4: the teller's disclosure of the email slot
CONFIRM = "utter_confirm_email"


@pytest.fixture(scope="module")
def bank_guard() -> ActionGuard:
    """The example bot's guard: its own policy.yml and domain.yml."""
    return ActionGuard({"policy": "policy.yml", "domain": "domain.yml"}, base=BOT, environ=ENV)


@pytest.fixture(scope="module")
def nlg(bank_guard: ActionGuard) -> SecureNLG:
    return SecureNLG(bank_guard)


def body(
    state: Tracker,
    response: str = CONFIRM,
    *,
    channel: str = "secure_rest",
    arguments: Optional[Mapping[str, Any]] = None,
) -> Dict[str, Any]:
    """What Rasa's callback NLG posts (``rasa.core.nlg.callback.nlg_request_format``)."""
    return {
        "response": response,
        "id": None,
        "arguments": dict(arguments or {}),
        "tracker": state.current_state(),
        "channel": {"name": channel},
    }


def as_caller(roles: Sequence[str], **slots: Any) -> Tracker:
    return tracker("ada", roles, slots={"email": EMAIL, **slots})


# -- the renderer, against Rasa's own interpolator ---------------------------------------------

VALUES = {"email": EMAIL, "amount": 5.0, "unset": None, "flag": True, "a.b": "dotted"}
TEMPLATES = [
    ("one placeholder", "Your email is {email}."),
    ("two placeholders and a float", "Send {amount} to {email}"),
    ("an unset slot renders as None, as in Rasa", "Value: {unset}"),
    ("a boolean", "Confirmed: {flag}"),
    ("a dotted name", "x {a.b} y"),
    ("no placeholder", "Hello there"),
    ("a placeholder without a value: the template, unfilled", "Hi {nobody}, {email}"),
    ("escaped braces: Rasa formats the template with nothing", "Literal {{email}} text"),
    ("a digit name is an index, never a value", "Number {0}"),
    ("a format spec is not a placeholder Rasa fills", "Pad {email:>40}"),
    ("a conversion is not either", "Repr {email!r}"),
    ("a lone closing brace", "oops } {email}"),
    ("placeholder at the start and end", "{email}{email}"),
    ("newline inside braces is no placeholder", "a {em\nail} b {email}"),
]


@pytest.mark.parametrize(("why", "template"), TEMPLATES)
def test_interpolation_matches_rasa(why: str, template: str) -> None:
    """The action server's renderer fills exactly what Rasa 3.6's interpolator fills."""
    from rasa.core.nlg.interpolator import interpolate_text as rasa_interpolate

    try:
        expected = rasa_interpolate(template, dict(VALUES))
    except ValueError:  # Rasa raises on a template str.format rejects: we show it unfilled
        expected = template
    pieces = interpolate_text(template, VALUES)
    assert "".join(piece.text for piece in pieces) == expected, why


def test_interpolation_says_which_text_came_from_which_slot() -> None:
    pieces = interpolate_text("Send {amount} to {email}.", VALUES)
    assert [(p.text, p.name) for p in pieces] == [
        ("Send ", None),
        ("5.0", "amount"),
        (" to ", None),
        (EMAIL, "email"),
        (".", None),
    ]


VARIATIONS: List[Dict[str, Any]] = [
    {"text": "plain"},
    {"text": "web", "channel": "web"},
    {"text": "gold", "condition": [{"type": "slot", "name": "tier", "value": "Gold"}]},
    {
        "text": "gold web",
        "channel": "web",
        "condition": [{"type": "slot", "name": "tier", "value": "gold"}],
    },
    {"text": "flagged", "condition": [{"type": "slot", "name": "flag", "value": True}]},
]


@pytest.mark.parametrize(
    ("why", "channel", "slots"),
    [
        ("no slot: unconditional, any channel", "rest", {}),
        ("channel-specific unconditional wins", "web", {}),
        ("condition met, compared casefolded", "rest", {"tier": "GOLD"}),
        ("condition and channel met", "web", {"tier": "gold"}),
        ("a boolean condition", "rest", {"flag": True}),
        ("condition not met", "rest", {"tier": "silver", "flag": False}),
    ],
)
def test_variation_choice_matches_rasa(why: str, channel: str, slots: Dict[str, Any]) -> None:
    """Variations are chosen among the same candidates as Rasa's ResponseVariationFilter."""
    from rasa.core.nlg.generator import ResponseVariationFilter

    expected = ResponseVariationFilter({"utter_x": VARIATIONS}).responses_for_utter_action(
        "utter_x", channel, slots
    )
    assert eligible_variations(VARIATIONS, channel, slots) == expected, why


@pytest.mark.parametrize(
    ("why", "content", "key"),
    [
        ("responses not a mapping", "responses: [a, b]\n", "SecureNLG.responses"),
        ("a response without variations", "responses:\n  utter_x: []\n", "utter_x"),
        ("a variation that is not a mapping", "responses:\n  utter_x: [hello]\n", "utter_x[0]"),
        ("not YAML", "responses: [\n", "SecureNLG.domain"),
    ],
)
def test_invalid_domains_are_refused_naming_the_key(
    tmp_path: Path, why: str, content: str, key: str
) -> None:
    domain = tmp_path / "domain.yml"
    domain.write_text(content)
    with pytest.raises(ConfigError) as error:
        load_responses(domain)
    assert key in error.value.key, why


def test_a_domain_directory_merges_its_files(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text("responses:\n  utter_a:\n    - text: A\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.yml").write_text("responses:\n  utter_b:\n    - text: B {x}\n")
    assert load_responses(tmp_path) == {"utter_a": [{"text": "A"}], "utter_b": [{"text": "B {x}"}]}


# -- disclosure of slot values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "roles", "shown"),
    [
        ("the customer's own email, full disclosure (the PII pass spares it)", ["customer"], EMAIL),
        ("a teller: mask_last4", ["teller"], MASKED_EMAIL),
        ("admin inherits the teller's grant and level", ["admin"], MASKED_EMAIL),
        ("customer and teller: the most generous reaching role", ["customer", "teller"], EMAIL),
        ("a role the policy does not know: nothing", ["auditor"], WITHHELD),
    ],
)
def test_slot_values_are_shown_as_the_policy_discloses_them(
    nlg: SecureNLG, why: str, roles: List[str], shown: str
) -> None:
    reply = nlg.generate(body(as_caller(roles)))
    assert reply == {"text": f"Your new contact email will be {shown}."}, why


def test_without_an_identity_slot_values_are_withheld(nlg: SecureNLG) -> None:
    """No attested envelope (or a forged one): as for actions, nothing of the slots shows."""
    for metadata in ({}, {"rasa_secure": {"v": 1, "sub": "ada", "roles": ["customer"]}}):
        state = tracker("ada", slots={"email": EMAIL}, metadata=metadata)
        assert nlg.generate(body(state))["text"] == f"Your new contact email will be {WITHHELD}."


@pytest.mark.parametrize(
    ("why", "state", "reason"),
    [
        ("no envelope", tracker("ada", slots={"email": EMAIL}, metadata={}), "identity_missing"),
        ("no grant for the response's slot", as_caller(["auditor"]), "slot_withheld"),
    ],
)
def test_withheld_slot_values_leave_an_audit_record_without_the_value(
    nlg: SecureNLG, caplog: pytest.LogCaptureFixture, why: str, state: Tracker, reason: str
) -> None:
    with caplog.at_level(logging.INFO, logger="rasa_secure.audit"):
        nlg.generate(body(state))
    records = [r.getMessage() for r in caplog.records if r.name == "rasa_secure.audit"]
    [record] = [json.loads(r) for r in records if '"SecureNLG"' in r]
    assert (record["decision"], record["action"]) == ("deny", CONFIRM), why
    assert record["categories"] == ["email"] and record["reasons"] == [reason], why
    assert EMAIL not in "".join(records)


def test_an_envelope_for_another_conversation_is_no_identity(nlg: SecureNLG) -> None:
    meta = {"rasa_secure": envelope("ada", ["customer"], "someone-else")}
    state = tracker("ada", slots={"email": EMAIL}, metadata=meta)
    assert EMAIL not in json.dumps(nlg.generate(body(state)))


def test_a_response_the_policy_does_not_grant_withholds_its_slots(
    bank_guard: ActionGuard,
) -> None:
    """Deny by default: the grant is per response, like an action's."""
    nlg = SecureNLG(bank_guard, {"utter_leak": [{"text": "It is {email}"}]})
    reply = nlg.generate(body(as_caller(["customer"]), "utter_leak"))
    assert reply == {"text": f"It is {WITHHELD}"}


def test_every_string_of_a_response_is_disclosed_and_pii_masked(bank_guard: ActionGuard) -> None:
    """Buttons, custom JSON and arguments get the same treatment as the text."""
    nlg = SecureNLG(
        bank_guard,
        {
            CONFIRM: [
                {
                    "text": "{email} / card {card} / {note}",
                    "buttons": [{"title": "Keep {email}", "payload": '/affirm{{"e": "{email}"}}'}],
                    "custom": {"nested": ["{email}", "static 4242 4242 4242 4242"]},
                }
            ]
        },
    )
    arguments = {"card": "4012 8888 8888 1881", "note": f"was {EMAIL}"}
    reply = nlg.generate(body(as_caller(["teller"]), arguments=arguments))
    dumped = json.dumps(reply)
    assert EMAIL not in dumped
    assert "4012 8888 8888 1881" not in dumped and "4242 4242 4242 4242" not in dumped
    assert reply["text"].startswith(f"{MASKED_EMAIL} / card ")
    assert reply["text"].endswith(f"was {MASKED_EMAIL}")  # the slot's value, found in an argument
    assert reply["buttons"][0]["title"] == f"Keep {MASKED_EMAIL}"
    assert reply["custom"]["nested"][0] == MASKED_EMAIL


def test_pii_pass_applies_to_values_but_not_to_what_the_disclosure_shows(
    bank_guard: ActionGuard,
) -> None:
    """A customer sees their own email in full (an e-mail the PII pass would mask); a card
    number an action passed as an argument, or written in the template, is masked."""
    nlg = SecureNLG(bank_guard, {CONFIRM: [{"text": "{email} {note} 6011 0009 9013 9424"}]})
    reply = nlg.generate(body(as_caller(["customer"]), arguments={"note": "4012888888881881"}))
    assert reply["text"].startswith(EMAIL + " ")
    assert "4012888888881881" not in reply["text"]
    assert "6011 0009 9013 9424" not in reply["text"]


def test_conditions_see_only_the_slots_the_caller_may_read(bank_guard: ActionGuard) -> None:
    """A condition on a slot the caller may not read counts it as unset: no bit leaks."""
    variations = [
        {"text": "known", "condition": [{"type": "slot", "name": "email", "value": EMAIL}]},
        {"text": "default"},
    ]
    nlg = SecureNLG(bank_guard, {CONFIRM: variations})
    assert nlg.generate(body(as_caller(["customer"])))["text"] == "known"
    assert nlg.generate(body(as_caller(["teller"])))["text"] == "default"


def test_static_responses_reach_the_user_unchanged(nlg: SecureNLG) -> None:
    """Every response of the example bot without slots renders exactly as Rasa would."""
    for name, variations in nlg.responses.items():
        if name == CONFIRM:
            continue
        reply = nlg.generate(body(as_caller(["customer"]), name))
        assert reply == {"text": variations[0]["text"]}, name


def test_the_variation_rasa_picked_by_id_is_used(bank_guard: ActionGuard) -> None:
    nlg = SecureNLG(bank_guard, {CONFIRM: [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]})
    request = {**body(as_caller(["customer"])), "id": "b"}
    assert nlg.generate(request) == {"id": "b", "text": "B"}


def test_an_unknown_response_says_nothing(nlg: SecureNLG) -> None:
    """Rasa's callback needs an object; an empty one makes no message (as a missing one)."""
    assert nlg.generate(body(as_caller(["customer"]), "utter_restart")) == {}


@pytest.mark.parametrize(
    ("why", "request_body", "location"),
    [
        ("not an object", [], "body"),
        ("no response name", {"tracker": {"sender_id": "ada"}}, "response"),
        ("no tracker", {"response": CONFIRM}, "tracker"),
        ("slots not a mapping", {"response": CONFIRM, "tracker": {"sender_id": "a", "slots": []}}, "tracker.slots"),  # noqa: E501
        ("arguments not a mapping", {"response": CONFIRM, "tracker": {"sender_id": "a"}, "arguments": [1]}, "arguments"),  # noqa: E501
    ],
)  # fmt: skip
def test_malformed_requests_are_input_errors(
    nlg: SecureNLG, why: str, request_body: Any, location: str
) -> None:
    with pytest.raises(InputError) as error:
        nlg.generate(request_body)
    assert error.value.location == location, why


# -- the route on the guarded action server, over real HTTP -----------------------------------


@pytest.fixture(scope="module")
def bank_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example bot's action server, started as ``example_bot/servers.py`` starts it.

    Its own process (rasa-sdk registers every action class imported in a process, and the
    other tests of this directory count them). No guard is configured by the environment:
    the NLG route uses the one guard the bank's actions share (policy.yml, domain.yml).
    """
    log = tmp_path_factory.mktemp("nlg") / "action-server.log"
    env = {
        name: value
        for name, value in cli_env().items()
        if name not in ("RASA_SECURE_ACTIONS_CONFIG", "RASA_SECURE_POLICY")
    }
    with cli_server(["--actions", "example_bot.actions"], log, env=env) as url:
        yield url


def post(url: str, payload: Any, headers: Optional[Dict[str, str]] = None) -> requests.Response:
    data = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return requests.post(f"{url}{NLG_PATH}", data=data, headers=headers or {}, timeout=10)


SECRET = {"X-Rasa-Secure-Token": SHARED}


def test_route_renders_masked_for_a_teller(bank_server: str) -> None:
    reply = post(bank_server, body(as_caller(["teller"])), SECRET)
    assert reply.status_code == 200
    assert reply.json() == {"text": f"Your new contact email will be {MASKED_EMAIL}."}


@pytest.mark.parametrize(
    ("why", "headers"),
    [
        ("no secret", {}),
        ("wrong secret", {"X-Rasa-Secure-Token": "guess-guess-guess-guess"}),
        ("secret in another header", {"Authorization": f"Bearer {SHARED}"}),
    ],
)
def test_route_refuses_calls_without_the_secret(
    bank_server: str, why: str, headers: Dict[str, str]
) -> None:
    reply = post(bank_server, body(as_caller(["customer"])), headers)
    assert reply.status_code == 401, why
    assert reply.json() == {"error": "unauthorized"}


@pytest.mark.parametrize(
    ("why", "payload", "reason"),
    [
        ("not JSON", b"{not json", "body"),
        ("nested 2,000 levels deep", b"[" * 2000 + b"]" * 2000, "json_too_deep"),
        ("no tracker", {"response": CONFIRM}, "tracker"),
    ],
    ids=["not-json", "too-deep", "no-tracker"],
)
def test_route_answers_bad_requests_with_a_json_reason(
    bank_server: str, why: str, payload: Any, reason: str
) -> None:
    reply = post(bank_server, payload, SECRET)
    assert reply.status_code == 400, why
    assert reply.json() == {"error": "Bad Request", "reason": reason}


@pytest.mark.parametrize(
    ("why", "domain", "status"),
    [
        ("a guard with a domain: served (an unknown response says nothing)", True, 200),
        ("a guard without a domain: no route, Rasa's call fails loudly", False, 404),
    ],
)
def test_attach_serves_the_route_only_with_a_domain_to_render(
    guarded: ActionGuard, why: str, domain: bool, status: int
) -> None:

    from rasa_secure.actions.server_auth import attach
    from tests.actions.conftest import GUARD_CONFIG
    from tests.serving import serve

    config = GUARD_CONFIG if domain else {k: v for k, v in GUARD_CONFIG.items() if k != "domain"}
    app = sample_app()
    attach(app, environ=ENV, guard=ActionGuard(config, environ=ENV))
    with serve(app) as url:
        reply = post(url, body(as_caller(["customer"])), SECRET)
    assert reply.status_code == status, why
    assert reply.json() == ({} if domain else {"error": "Not Found"}), why


# -- Rasa's own callback generator, pointed at the route ---------------------------------------


def rasa_tracker(roles: Sequence[str], domain: Any, text: str = "it is my email") -> Any:
    """A Rasa tracker as the Rasa server holds it: the channel's envelope, the email slot."""
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    state = DialogueStateTracker("ada", domain.slots)
    metadata = {"rasa_secure": envelope("ada", roles, "ada")}
    state.update(UserUttered(text, metadata=metadata))
    state.update(SlotSet("email", EMAIL))
    return state


def rasa_generate(
    url: str, roles: Sequence[str], headers: Dict[str, str], text: str = "it is my email"
) -> Any:
    """Rasa's callback generator, configured as docs/components/secure-nlg.md shows."""
    from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    domain = Domain.load(str(BOT / "domain.yml"))
    endpoint = EndpointConfig(url=f"{url}{NLG_PATH}", headers=headers)
    generator = CallbackNaturalLanguageGenerator(endpoint)
    return asyncio.run(
        generator.generate(
            CONFIRM,
            rasa_tracker(roles, domain, text),
            "secure_rest",
            domain_responses=domain.responses,
        )
    )


def test_rasa_callback_generator_gets_the_masked_text(bank_server: str) -> None:
    """Rasa itself, configured as example_bot/endpoints.yml does, shows the teller a mask."""
    assert rasa_generate(bank_server, ["teller"], SECRET)["text"] == (
        f"Your new contact email will be {MASKED_EMAIL}."
    )
    assert rasa_generate(bank_server, ["customer"], SECRET)["text"] == (
        f"Your new contact email will be {EMAIL}."
    )


def test_rasa_callback_generator_without_the_secret_is_refused(bank_server: str) -> None:
    from rasa.utils.endpoints import ClientResponseError

    with pytest.raises(ClientResponseError) as error:
        rasa_generate(bank_server, ["customer"], {})
    assert error.value.status == 401


def test_rasas_debug_line_of_the_request_keeps_no_name(
    bank_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Rasa logs each NLG request (the user's text included) at debug; a name must not stay."""
    from rasa_secure.stores.log_filter import PIILogFilter

    caplog.set_level(logging.DEBUG, logger="rasa.core.nlg.callback")
    rasa_generate(bank_server, ["customer"], SECRET, text="my name is Ada Byron")
    records = [r for r in caplog.records if r.getMessage().startswith("Requesting NLG")]
    assert records, "Rasa logs the request"
    log_filter = PIILogFilter(install=False)
    for record in records:
        log_filter.filter(record)
        assert "Ada Byron" not in record.getMessage()
