"""Notification fan-out and email delivery, run by the task worker after commit.

Interface used by the discussions actions (each takes an id and is safe to run twice):
``notify_new_post(post_id)``, ``notify_reaction(reaction_id)``, ``notify_accepted_answer(post_id)``.
"""

from __future__ import annotations

from django.tasks import task


@task()
def notify_new_post(post_id: int) -> None:
    """Mentions, replies, quotes and watchers of a new post (topic or reply)."""


@task()
def notify_reaction(reaction_id: int) -> None:
    """The post's author, grouped per post and reaction kind."""


@task()
def notify_accepted_answer(post_id: int) -> None:
    """The accepted reply's author."""
