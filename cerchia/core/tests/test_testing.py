from django.core.cache import cache

from cerchia.core.testing import clear_cache


def test_clear_cache_empties_this_process_cache():
    cache.set("clear-me", 1)
    clear_cache()
    assert cache.get("clear-me") is None


def test_clear_cache_leaves_other_prefixes_alone(settings):
    if "redis" not in settings.CACHES["default"]["BACKEND"].lower():
        return  # local memory is private to the process already
    import redis

    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    client.set("another-process:1:kept", "1", ex=60)
    try:
        clear_cache()
        assert client.get("another-process:1:kept") == b"1"
    finally:
        client.delete("another-process:1:kept")
        client.close()
