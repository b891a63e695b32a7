import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from cerchia.insights.log import record_event
from cerchia.insights.models import AppendOnlyError, Event

pytestmark = pytest.mark.django_db(transaction=True)


def test_record_event_stores_actor_community_subject_and_payload(public_community, member):
    with transaction.atomic():
        event = record_event(
            "community.updated", actor=member, community=public_community,
            subject=public_community, fields=["tagline"],
        )  # fmt: skip
    stored = Event.objects.get(pk=event.pk)
    assert stored.kind == "community.updated"
    assert stored.actor == member
    assert stored.community == public_community
    assert (stored.subject_type, stored.subject_id) == ("community", public_community.pk)
    assert stored.payload == {"fields": ["tagline"]}
    assert stored.created_at is not None


def test_anonymous_actor_is_stored_as_none(public_community):
    with transaction.atomic():
        event = record_event("community.viewed", actor=AnonymousUser(), community=public_community)
    assert Event.objects.get(pk=event.pk).actor is None


def test_record_event_outside_a_transaction_is_refused(member):
    with pytest.raises(RuntimeError):
        record_event("account.touched", actor=member)
    assert not Event.objects.exists()


def test_event_rolls_back_with_the_change(member):
    def change_then_fail() -> None:
        with transaction.atomic():
            record_event("account.touched", actor=member)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        change_then_fail()
    assert not Event.objects.exists()


def test_events_are_append_only(member):
    with transaction.atomic():
        event = record_event("account.touched", actor=member)
    event.kind = "account.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert Event.objects.get(pk=event.pk).kind == "account.touched"
