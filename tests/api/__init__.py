"""Tests of the web layer: API, pages, authorisation, contract."""
