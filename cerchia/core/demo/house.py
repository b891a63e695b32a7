"""How the demo's hosts keep their communities safe and welcoming, and what waits for them now.

Each ``House`` is applied by the community's owner once everyone in the story has joined:
affiliations (the brand's own people and its ambassador), the welcome message and its
introductions topic, the welcomers, pre-moderation and content rules. Each ``Moment`` is
something of the last hours still waiting in a review queue, so a host signing in to the
demo finds a queue with work in it.
"""

from __future__ import annotations

from cerchia.core.demo.spec import House, Moment

HOUSES = (
    House(
        slug="espresso-a-casa",
        welcome="""\
Benvenuta, benvenuto! Qui si parla di **espresso fatto in casa**: macchine, macinatura, latte
e tanti tentativi. Nessuna domanda è troppo semplice.

Per iniziare, raccontaci nel topic delle presentazioni cosa usi e cosa vorresti migliorare.""",
        introductions="Benvenuti! Presentatevi qui e raccontate cosa usate",
        welcomers=("marco_ferretti", "martina_gallo"),
        public_log=True,
    ),
    House(
        slug="balcony-growers",
        welcome="""\
Welcome to Balcony Growers! Whatever the size of your balcony, you're in the right place.
Tell us which way it faces and what you'd love to grow — someone here has tried it.""",
        introductions="Start here: the pollinator list for pots and windy balconies",
        welcomers=("sophie_martin",),
        premoderation="newcomers",
        rules=(
            (
                "domain",
                "cheap-seeds.example",
                "hold",
                "Links to seed shops are checked by a host first, so the feed stays ad-free.",
            ),
            ("keyword", "guaranteed harvest", "refuse", ""),
        ),
    ),
    House(
        slug="rovere-riders",
        affiliations=(
            ("davide_zanon", "brand", "Rovere Bikes"),
            ("silvia_marchetti", "staff", "Rovere Bikes"),
            ("beatrice_mancini", "ambassador", "Rovere Bikes"),
        ),
        welcome="""\
Ciao e benvenuto tra i Rovere Riders! Chi lavora in Rovere ha sempre l'etichetta **Brand** o
**Staff** accanto al nome, e i contenuti sponsorizzati o su prodotti ricevuti in omaggio sono
sempre indicati all'inizio del messaggio.""",
        public_log=True,
    ),
)

MOMENTS = (
    Moment(
        slug="balcony-growers",
        by="giorgia_ferri",
        hours_ago=3,
        kind="held reply",
        thread="Tomato leaves curling upwards in a north-facing pot",
        body="""\
Update: I found these seed tapes that promise compact tomatoes for shade —
https://cheap-seeds.example/shade-tomatoes — has anyone tried them?""",
    ),
    Moment(
        slug="espresso-a-casa",
        by="lorenzo_fontana",
        hours_ago=5,
        kind="report",
        thread="Macinacaffè manuale per viaggiare: ne vale la pena?",
        number=3,
        reason="off_topic",
        body="Sembra più una pubblicità che un consiglio: forse va spostato?",
    ),
)
