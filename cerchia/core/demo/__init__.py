"""Demo data: a believable world of small communities, loaded by ``cerchia demo``.

The world is written as plain Python in ``people.py`` and ``communities.py`` and
played through the real actions by ``loader.py``; pictures are drawn at load time
by ``images.py``.
"""
