"""In a real Chromium with a virtual authenticator (WebAuthn through the DevTools protocol):
a user registers a security key on the two-factor page, and from then on completes sign-in
with it after the password. axe-core checks both pages; the Content-Security-Policy holds
(the page's script is a static file)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from .conftest import PASSWORD, assert_accessible, open_page, sign_in


@pytest.mark.xdist_group("browser")
def test_a_registered_security_key_completes_sign_in_after_the_password(
        browser: Browser, live_server: str) -> None:
    # WebAuthn binds a key to a domain name, never an IP address: the same server by name.
    with open_page(browser, live_server.replace("127.0.0.1", "localhost")) as page:
        devtools = page.context.new_cdp_session(page)
        devtools.send("WebAuthn.enable", {"enableUI": False})
        authenticator = devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
            "protocol": "ctap2", "transport": "usb", "hasResidentKey": False,
            "hasUserVerification": True, "isUserVerified": True,
            "automaticPresenceSimulation": True}})["authenticatorId"]

        sign_in(page, "csc.supervisor")
        page.goto("/account/two-factor")
        expect(page.get_by_text("You have no security keys.")).to_be_visible()
        page.get_by_label("Name of the key").fill("Blue key")
        page.get_by_role("button", name="Add a security key").click()
        expect(page.get_by_role("cell", name="Blue key", exact=True)).to_be_visible()
        assert_accessible(page)
        stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert len(stored["credentials"]) == 1

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/sign-in**")
        page.get_by_label("Username").fill("csc.supervisor")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/sign-in/code")
        expect(page.get_by_role("heading", level=1)).to_have_text("Use your security key")
        assert_accessible(page)
        page.get_by_role("button", name="Use your security key").click()
        page.wait_for_url("**/duties**")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        used = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
        assert used["credentials"][0]["signCount"] >= 1
