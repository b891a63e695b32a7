"""Moderation's background and periodic tasks (run by ``cerchia worker``)."""

from __future__ import annotations
