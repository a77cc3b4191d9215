"""Using the grouped main navigation as a person does: open the group, then follow the link."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def nav_link(page: Page, href: str) -> Locator:
    """The header's link to ``href``, its group opened first if it is closed (or the narrow
    screen's menu, then the group)."""
    link = page.locator(f'header nav a[href="{href}"]')
    if link.count() and not link.is_visible():
        menu = page.locator("header nav .nav-toggle")
        if menu.is_visible() and menu.get_attribute("aria-expanded") == "false":
            menu.click()
        inner = page.locator(f'a[href="{href}"]')  # `has` is matched inside each group
        group = page.locator("header nav .nav-group", has=inner).locator(".nav-group-toggle")
        if group.count() and group.get_attribute("aria-expanded") == "false":
            group.click()
    return link


def nav_go(page: Page, href: str) -> None:
    """Follow the header's link to ``href`` and wait for the page."""
    nav_link(page, href).click()
    page.wait_for_url(f"**{href}")
