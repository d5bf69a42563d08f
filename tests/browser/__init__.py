"""Journeys through the dashboard in a real browser (Debian's Chromium, driven by Playwright),
each page checked with axe-core for WCAG 2.2 AA."""
