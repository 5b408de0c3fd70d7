from fanloop.analytics.models.facts import DailyFact, RollupDirty

__all__ = ["DailyFact", "RollupDirty"]
