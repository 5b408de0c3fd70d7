"""Early warning (预警): alert rules, their evaluation and delivery."""
