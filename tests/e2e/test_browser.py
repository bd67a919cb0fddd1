"""The example bank's web page in a real headless Chromium, against the running example bot.

Chromium and its driver come from Debian (``scripts/bootstrap.sh`` installs ``chromium`` and
``chromium-driver``); Selenium drives them through an explicit driver path, so nothing is
downloaded. The npm registry's ``rasa-webchat`` widget is installed by the same script (``npm
ci`` in ``example_bot/web``). Without them the tests skip, except in CI (``CI=true`` or
``RASA_SECURE_REQUIRE_SERVICES``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any, Callable, Iterator, List

import pytest
import yaml

from example_bot.servers import BotServers
from example_bot.training import BOT_DIR
from example_bot.web.page import WEBCHAT_BUNDLE
from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOT = Path(os.environ.get("RASA_SECURE_SCREENSHOT", "/tmp/rasa_secure_web_chat.png"))
WEBCHAT_SCREENSHOT = SCREENSHOT.with_name(SCREENSHOT.stem + "_rasa_webchat.png")
WAIT = 60


def _require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    _missing(
        f"no headless browser: {', '.join(missing)} missing "
        "(apt-get install chromium chromium-driver, or scripts/bootstrap.sh)"
    )


def _require_webchat() -> None:
    if not WEBCHAT_BUNDLE.is_file():
        _missing(
            "rasa-webchat is not installed (scripts/bootstrap.sh runs npm ci in example_bot/web)"
        )


def _missing(message: str) -> None:
    if REQUIRE_SERVICES or os.environ.get("CI") == "true":
        pytest.fail(f"{message}, and CI requires it")
    pytest.skip(message)


@pytest.fixture
def browser() -> Iterator[Callable[[], Any]]:
    """Start separate Chromium instances (separate profiles: no shared cookies or storage)."""
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    started: List[Any] = []

    def start() -> Any:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                         "--window-size=1000,900"):  # fmt: skip
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        driver.set_script_timeout(WAIT)
        started.append(driver)
        return driver

    yield start
    for driver in started:
        driver.quit()


def sign_in(driver: Any, bot: BotServers, user: str) -> None:
    from selenium.webdriver.common.by import By

    driver.get(f"{bot.url}/web/")
    driver.find_element(By.ID, "username").clear()
    driver.find_element(By.ID, "username").send_keys(user)
    driver.find_element(By.ID, "password").send_keys("demo")
    driver.find_element(By.ID, "signin-button").click()
    wait_for(driver, lambda d: d.find_element(By.ID, "session").text == user)


def say(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "message").send_keys(text)
    driver.find_element(By.ID, "send").click()


def transcript(driver: Any, kind: str) -> List[str]:
    from selenium.webdriver.common.by import By

    return [line.text for line in driver.find_elements(By.CSS_SELECTOR, f"#transcript .{kind}")]


def wait_for(driver: Any, condition: Callable[[Any], Any]) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def test_sign_in_chat_and_see_the_balance(bot: BotServers, browser: Callable[[], Any]) -> None:
    """The working page: sign in at the example provider, ask, read the balance."""
    driver = browser()
    sign_in(driver, bot, "alice")
    say(driver, "what's my balance?")
    replies = wait_for(driver, lambda d: [t for t in transcript(d, "bot") if "balances" in t])
    assert replies[0].startswith("Your balances:")
    driver.save_screenshot(str(SCREENSHOT))


def test_another_users_browser_cannot_read_or_write_the_conversation(
    bot: BotServers, browser: Callable[[], Any]
) -> None:
    """Bob, signed in another browser, aims his socket at alice's conversation: refused."""
    alice, bob = browser(), browser()
    sign_in(alice, bot, "alice")
    sign_in(bob, bot, "bob")
    say(alice, "what's my balance?")
    alice_replies = wait_for(alice, lambda d: transcript(d, "bot"))
    # bob's page scripts its own socket: a message into alice's conversation...
    bob.execute_script(
        'socket.emit("user_uttered", {message: "transfer 50 to 2000300040", session_id: "alice"})'
    )
    wait_for(bob, lambda d: [t for t in transcript(d, "notice") if "conversation_not_owned" in t])
    # ...and a new connection that asks for alice's conversation at the handshake
    refusal = bob.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const other = io({auth: {token, session_id: "alice"}, transports: ["websocket"],
                          reconnection: false, forceNew: true});
        other.on("connect", () => done("connected"));
        other.on("connect_error", (error) => done(error.data ? error.data.reason : error.message));
        """
    )
    assert refusal == "conversation_not_owned"
    assert transcript(bob, "bot") == [], "bob's page never shows a reply of alice's conversation"
    assert transcript(alice, "bot") == alice_replies, (
        "nothing bob sent reached alice's conversation"
    )


SHORT_LIFETIME = 10
"""Seconds a page token lives on :func:`short_lived_bot` (time enough to send a first message)."""


@pytest.fixture(scope="module")
def short_lived_bot(
    bot_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BotServers]:
    """The example bot with page tokens of :data:`SHORT_LIFETIME` seconds, no leeway, and the
    socket options rasa-webchat needs (token in the URL, ``customData`` as metadata)."""
    credentials = yaml.safe_load((BOT_DIR / "credentials.yml").read_text())
    channel = credentials["rasa_secure.channel.secure_socketio.SecureSocketIOInput"]
    channel.update(allow_query_token_unsafe=True, metadata_key="customData")
    channel["jwt"]["leeway_seconds"] = 0
    credentials["example_bot.web.page.ExampleWebPage"] = {"token_lifetime": SHORT_LIFETIME}
    workdir = tmp_path_factory.mktemp("short_lived_bot")
    path = workdir / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials))
    with BotServers(model=bot_model, workdir=workdir / "bot", credentials=path) as servers:
        yield servers


def test_an_expired_token_is_renewed_without_losing_the_conversation(
    short_lived_bot: BotServers, browser: Callable[[], Any]
) -> None:
    """Short-lived page tokens: the server announces the expiry, the page renews the token
    (its session cookie at the provider) and re-authenticates; the conversation goes on."""
    driver = browser()
    sign_in(driver, short_lived_bot, "alice")
    say(driver, "hi")
    wait_for(driver, lambda d: transcript(d, "bot"))
    time.sleep(SHORT_LIFETIME + 1)
    say(driver, "what's my balance?")
    replies = wait_for(driver, lambda d: [t for t in transcript(d, "bot") if "balances" in t])
    assert replies[0].startswith("Your balances:")
    assert any("expired" in notice for notice in transcript(driver, "notice"))
    assert transcript(driver, "you") == ["hi", "what's my balance?"]


# -- the npm registry's rasa-webchat widget -------------------------------------------------


def open_webchat(driver: Any, bot: BotServers, user: str) -> None:
    """Sign in at the bank's page, then open the rasa-webchat page (it gets its own token)."""
    sign_in(driver, bot, user)
    driver.get(f"{bot.url}/web/webchat.html")


def webchat_say(driver: Any, text: str) -> None:
    """Type into the widget's input (shown once it is connected) and press Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    [box] = wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".rw-new-message"))
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def webchat_replies(driver: Any) -> List[str]:
    from selenium.webdriver.common.by import By

    return [reply.text for reply in driver.find_elements(By.CSS_SELECTOR, ".rw-response")]


def status(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, "status").text)


def test_rasa_webchat_cannot_pass_the_token_in_the_handshake(
    bot: BotServers, browser: Callable[[], Any]
) -> None:
    """rasa-webchat 1.0.1 calls io(url, {path}) only: no ``auth``. With the example's
    credentials, its token in the URL is ignored and the connection refused."""
    from selenium.webdriver.common.by import By

    driver = browser()
    _require_webchat()
    open_webchat(driver, bot, "alice")
    wait_for(driver, lambda d: status(d) == "Connection refused: token_missing")
    assert driver.find_elements(By.CSS_SELECTOR, ".rw-new-message") == [], "hidden: no socket"
    assert webchat_replies(driver) == []


def test_rasa_webchat_chats_with_the_url_token_when_allowed(
    short_lived_bot: BotServers, browser: Callable[[], Any]
) -> None:
    """With ``allow_query_token_unsafe`` the widget chats (token in the URL, customData as
    metadata); the server's expiry notice makes the page re-authenticate over the widget's
    socket, and the conversation goes on."""
    _require_webchat()
    driver = browser()
    open_webchat(driver, short_lived_bot, "alice")
    webchat_say(driver, "what's my balance?")
    wait_for(driver, lambda d: [t for t in webchat_replies(d) if "balances" in t])
    driver.save_screenshot(str(WEBCHAT_SCREENSHOT))
    wait_for(driver, lambda d: status(d) == "Sign-in renewed.")
    webchat_say(driver, "what's my balance?")
    wait_for(driver, lambda d: len([t for t in webchat_replies(d) if "balances" in t]) == 2)


def test_a_large_transfer_steps_up_with_a_second_factor(
    start_bot: Any, browser: Callable[[], Any]
) -> None:
    """Above 1,000 EUR the assistant answers with a step-up challenge: the page asks for the
    password and the demo code, signs in again with the second factor and resends the
    message, and the transfer is confirmed and made (a fresh bot: its own bank)."""
    from selenium.webdriver.common.by import By

    bot = start_bot()
    driver = browser()
    sign_in(driver, bot, "alice")
    for text, expected in (
        ("I want to transfer money", "How much"),
        ("1200", "To which account"),
    ):
        say(driver, text)
        wait_for(driver, lambda d, e=expected: [t for t in transcript(d, "bot") if e in t])
    say(driver, "2000300040")
    wait_for(driver, lambda d: d.find_element(By.ID, "stepup").is_displayed())
    assert "second factor" in transcript(driver, "bot")[-1]
    driver.find_element(By.ID, "stepup-password").send_keys("demo")
    driver.find_element(By.ID, "stepup-code").send_keys("123456")
    driver.find_element(By.CSS_SELECTOR, "#stepup button").click()
    wait_for(driver, lambda d: [t for t in transcript(d, "bot") if "Please confirm" in t])
    say(driver, "yes")
    done = wait_for(driver, lambda d: [t for t in transcript(d, "bot") if t.startswith("Done")])
    assert done[0].startswith("Done: 1,200.00 EUR sent to 2000300040")
