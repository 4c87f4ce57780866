"""Data in and out. May import core, language and engine.

    kpi_data.py  KPI data and events from CSV and JSON files (or mappings) -> History
    report.py    Outcome -> a table for people, JSON for programs, CSV for billing
    schema/      the JSON Schema of the JSON outcome
"""
