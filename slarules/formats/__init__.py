"""Data in and out. May import core, language and engine.

    kpi_data.py  KPI data and events from CSV and JSON files (or mappings) -> History
    report.py    Outcome -> a table for people, JSON for programs, CSV for billing
    restatement.py  a restatement's adjustment lines -> a table, JSON or CSV
    files.py     how every file slarules writes is replaced: lock, unique temporary, fsync
    ledger_file.py  the ledger records of a billing run's state file, appended in a file beside it
    csv_cells.py CSV a spreadsheet opens as data: no cell is read as a formula
    schema/      the JSON Schemas of the JSON outcome, the restatement and the saved state
"""
