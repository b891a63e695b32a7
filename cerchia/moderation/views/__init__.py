"""Moderation pages: thin views over the moderation actions and queries."""
