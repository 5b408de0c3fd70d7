"""The inbox's one write path: ingestion, operators' actions, settings."""
