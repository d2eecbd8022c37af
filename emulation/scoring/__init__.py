"""The scores of SPEC §3 and what is read from them.

- ``scores``: the scoring rules, computed set-based into the score tables (``recompute``,
  ``apply_events`` after an import), and the boards' sort keys;
- ``progress``: coverage against a campaign's targets, for the dashboard and the reports;
- ``overview``: head-line figures of the home page and the dashboard;
- ``cli``: ``scores recompute``.

May import: the bottom of ``emulation`` (models, campaigns, clock, bulk), ``extensions``,
``web``; no other sub-package of ``emulation``.
"""
