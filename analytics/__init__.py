"""The read side: friction metrics over the store, and the reports managers read.

- ``metrics``: every definition in one place (sums in SQL, derived numbers, friction index, intervals).
- ``periods``: report windows and local days, weeks and months in the manager's time zone.
- ``queries``: the SQL (one aggregation pass, bounded reads for quotes and themes).
- ``report``: the report model all renderers share, and ``build_report``.
- ``themes``: recurring complaints clustered into named themes.
- ``formatting``: how a number reads (shares in %, changes with their arrow), for every renderer.
- ``render`` / ``html``: terminal table, CSV, JSON, self-contained HTML with inline SVG charts.
- ``service``: options (CLI flags, dashboard query) to a report.
- ``drilldown``: what lies behind a number (a bar's answers, one response as analysed), for the dashboard.

Nothing here writes to the store; synthetic demo data is written by ``bot.synthetic``.
"""
