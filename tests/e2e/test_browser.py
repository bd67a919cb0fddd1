"""The example bank's web page in a real headless Chromium, against the running example bot.

Chromium and its driver come from Debian (``scripts/bootstrap.sh`` installs ``chromium`` and
``chromium-driver``); Selenium drives them through an explicit driver path, so nothing is
downloaded. Without them the tests skip, except in CI (``CI=true`` or
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
from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SCREENSHOT = Path(os.environ.get("RASA_SECURE_SCREENSHOT", "/tmp/rasa_secure_web_chat.png"))
WAIT = 60


def _require_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if not missing:
        return
    message = (
        f"no headless browser: {', '.join(missing)} missing "
        "(apt-get install chromium chromium-driver, or scripts/bootstrap.sh)"
    )
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


def test_an_expired_token_is_renewed_without_losing_the_conversation(
    start_bot: Any, browser: Callable[[], Any], tmp_path: Path
) -> None:
    """Page tokens living 3 s: the next message gets token_expired, the page renews the token
    (its session cookie at the provider), re-authenticates and sends the message again."""
    credentials = yaml.safe_load((BOT_DIR / "credentials.yml").read_text())
    credentials["rasa_secure.channel.secure_socketio.SecureSocketIOInput"]["jwt"][
        "leeway_seconds"
    ] = 0
    credentials["example_bot.web.page.ExampleWebPage"] = {"token_lifetime": 3}
    path = tmp_path / "credentials.yml"
    path.write_text(yaml.safe_dump(credentials))
    bot = start_bot(credentials=path)
    driver = browser()
    sign_in(driver, bot, "alice")
    say(driver, "hi")
    wait_for(driver, lambda d: transcript(d, "bot"))
    time.sleep(4)
    say(driver, "what's my balance?")
    replies = wait_for(driver, lambda d: [t for t in transcript(d, "bot") if "balances" in t])
    assert replies[0].startswith("Your balances:")
    assert any("expired" in notice for notice in transcript(driver, "notice"))
    assert transcript(driver, "you") == ["hi", "what's my balance?"]


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
