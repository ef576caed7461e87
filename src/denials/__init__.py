"""denials: a denial-analytics warehouse for X12 835/837 remittances, claims and drug administrations."""

__version__ = "0.1.0"
