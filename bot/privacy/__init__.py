"""Customers' data: what we keep of it, in what form, and how a customer gets it back or erased.

``text`` cleans a customer's words at the door (control characters, personal data),
``redaction`` finds the personal data (which kinds: ``privacy:`` in ``siloscope.yml``, see bot.settings),
``files`` gives the files under ``var/`` owner-only modes, ``rights`` answers export, erasure
and retention, ``spreadsheet`` keeps exported cells from running as formulas.
"""
