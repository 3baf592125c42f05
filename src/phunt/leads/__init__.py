"""Leads: tipline reports imported from spreadsheets, resolved to targets, raided.

``mapping`` states how a source's columns map to a lead's fields, ``sheets`` reads xlsx and
CSV rows, ``reports`` turns rows into validated reports (pure: no database); ``store``
imports them in one transaction and links leads, ``targets`` resolves leads to people and
ranks them, ``raids`` plans raids and turns their outcome into the case model's rows.
"""
