"""The decision-paper engine: decision records in, house-style papers out."""

__version__ = "0.1.0"
