"""The one write path of the community app; see the modules for each area."""
