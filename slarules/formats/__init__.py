"""Data in and out. May import core, language and engine.

    kpi_data.py  KPI data and events from CSV and JSON files (or mappings) -> History
    kpi_reader.py  what every layout shares: a period's label, values and report date checked, the diagnostics
    kpi_csv.py   KPI data in CSV, wide or long, a record at a time
    kpi_json.py  KPI data in JSON, read whole
    kpi_events.py  waivers, exclusions, holidays and deliveries, from their own CSV or the JSON's events
    subject_data.py  data with a subject column -> one History per subject, read a subject at a time
    portfolio_report.py  many subjects' outcomes and the portfolio totals -> a table, JSON or CSV
    state_store.py  every subject's saved state in one SQLite file, changed in one transaction
    report.py    Outcome -> a table for people, JSON for programs, CSV for billing
    restatement.py  a restatement's adjustment lines -> a table, JSON or CSV
    files.py     how every file slarules writes is replaced: lock, unique temporary, fsync
    ledger_file.py  the ledger records of a billing run's state file, appended in a file beside it
    csv_cells.py CSV a spreadsheet opens as data: no cell is read as a formula
    schema/      the JSON Schemas of the JSON outcome, the portfolio, the restatement and the saved state
"""
