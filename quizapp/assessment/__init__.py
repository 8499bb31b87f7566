"""The measurement itself: rubric schema and loading, scoring, item statistics. Pure Python."""
