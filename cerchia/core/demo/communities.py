"""The demo communities: seven small circles around real niches, and how people came to them."""

from __future__ import annotations

from cerchia.core.demo.spec import CommunityPlan, Invite, Request

ESPRESSO = CommunityPlan(
    slug="espresso-a-casa",
    name="Espresso a Casa",
    tagline="Estrazioni, macinacaffè e caffè specialty per chi fa l'espresso in cucina.",
    language="it",
    interests=("espresso", "caffè specialty", "macinacaffè", "latte art"),
    owner="giulia_rinaldi",
    created_days_ago=205,
    description="""\
Un posto tranquillo per chi prepara l'espresso a casa e vuole farlo un po' meglio ogni mattina.

Qui si parla di:

- **ricette ed estrazioni**: dose, resa, tempo, temperatura, e perché il tuo shot è acido;
- **attrezzatura**: macchine a leva e a pompa, macinacaffè, bilance, accessori che servono davvero
  (e quelli che no);
- **caffè specialty**: torrefazioni italiane, origini, lavorazioni, come conservarlo;
- **latte art** per chi ci prova, senza giudizio.

Siamo tutti appassionati, non venditori: i consigli valgono per quello che sono, cioè esperienza.
Se sei all'inizio, presentati nel thread di benvenuto e racconta cosa usi: qualcuno ha avuto il
tuo stesso problema.
""",
    rules="""\
1. **Rispetto prima di tutto.** Ogni livello è benvenuto, dalla moka alla leva manuale.
2. **Dati, non dogmi.** Quando chiedi aiuto indica dose, resa, tempo e macinacaffè.
3. **Niente pubblicità occulta.** Se lavori per un marchio o una torrefazione, dillo.
4. **Compravendite** solo nel thread mensile del mercatino.
""",
    moderators=("marco_ferretti", "camilla_fabbri"),
    members=(
        "elena_conti", "andrea_lombardi", "martina_gallo", "lorenzo_fontana", "roberto_marino",
        "daniel_weber", "laura_deangelis", "valentina_greco", "alessandro_romano",
        "paolo_bianchi",
    ),
)  # fmt: skip

BALCONY = CommunityPlan(
    slug="balcony-growers",
    name="Balcony Growers",
    tagline="Tomatoes, herbs and pollinators on balconies, terraces and windowsills.",
    language="en",
    interests=("balcony gardening", "tomatoes", "herbs", "pollinators", "compost"),
    owner="aoife_byrne",
    created_days_ago=160,
    description="""\
Growing food and flowers when your garden is two square metres, five floors up and windy.

We share what works in **containers**: soil mixes, self-watering pots, what to sow when, how to
keep basil alive in August and chillies through the winter. Most of us garden in Italy and the
rest of southern Europe, so the calendar talks about *our* seasons.

Good places to start:

- post a photo of your balcony and tell us its orientation — people will suggest what will thrive;
- the **pollinator list** in the pinned guide: plants bees love that cope with pots;
- the monthly *what I sowed* thread.
""",
    rules="""\
- Be kind: every balcony starts with a dead plant.
- Say where you are (roughly) and which way your balcony faces when you ask for advice.
- No pesticide shilling; organic and low-impact methods first.
- Seeds and cuttings swaps are welcome; selling is not.
""",
    moderators=("ines_ferreira", "matteo_galli"),
    members=(
        "ilaria_vitale", "laura_deangelis", "giorgia_ferri", "priya_nair", "sophie_martin",
        "emma_clarke", "sofia_ricci", "beatrice_mancini",
    ),
)  # fmt: skip

FILM = CommunityPlan(
    slug="grain-and-silver",
    name="Grain & Silver",
    tagline="Film photography: shooting, developing at home, scanning and printing.",
    language="en",
    interests=("film photography", "darkroom", "medium format", "black and white"),
    owner="jonas_lindqvist",
    created_days_ago=245,
    description="""\
For people who still wait a week to see their photos — and like it.

**Grain & Silver** is a small circle of film photographers: 35 mm, medium format and the odd
large-format lunatic. We talk about cameras, but mostly about *pictures* and the craft behind them:

- developing black and white and C-41 at home, chemistry, times and agitation;
- scanning with a camera or a flatbed, and getting colours that look like the film;
- the darkroom: enlargers, paper, split-grade printing;
- a monthly theme and a critique thread where feedback is honest and kind.
""",
    rules="""\
1. Share your own work, and credit others'.
2. Critique the photo, never the person. Ask before giving critique if the post does not request it.
3. No gear flipping: the market thread is for fellow members, at fair prices.
4. Keep it analogue: digital edits of scans are fine, AI-generated images are not.
""",
    moderators=("francesca_moretti",),
    members=(
        "simone_serra", "oliver_bennett", "priya_nair", "sofia_ricci", "nicola_rizzo",
        "sophie_martin", "mateo_garcia",
    ),
)  # fmt: skip

TRAIL = CommunityPlan(
    slug="trail-dolomiti",
    name="Trail Dolomiti",
    tagline="Corsa in montagna tra Cortina, Gardena e Fassa: uscite, percorsi e sicurezza.",
    language="it",
    interests=("trail running", "dolomiti", "skyrunning", "ultra trail"),
    owner="luca_dallago",
    created_days_ago=130,
    description="""\
Per chi corre sui sentieri delle Dolomiti, o sogna di farlo.

Ci scambiamo **percorsi** (con dislivello, punti d'acqua e vie di fuga), organizziamo **uscite di
gruppo** al mattino presto e ci aiutiamo a preparare le gare dell'estate: Lavaredo, Dolomyths,
Sellaronda, Cortina Trail.

Prima di partire:

- controlla sempre il **bollettino meteo e valanghe** e i rifugi aperti;
- lascia detto dove vai e quando pensi di tornare;
- porta il materiale obbligatorio anche se "tanto è un giro corto".
""",
    rules="""\
1. **La sicurezza viene prima del tempo.** Nessuno viene lasciato indietro nelle uscite di gruppo.
2. Condividi percorsi solo su sentieri aperti e segnati; niente tracce in zone protette.
3. Rispetta fauna, pascoli e rifugi: quello che porti su lo riporti giù.
4. Niente vendita di pettorali.
""",
    moderators=("anna_pichler", "stefano_costa"),
    members=("alessandro_romano", "martina_gallo", "nicola_rizzo", "lukas_hofer", "mateo_garcia"),
)

ROVERE_QUESTIONS = (
    "Quale Rovere hai, o quale stai valutando? / Which Rovere do you ride, or which are you "
    "considering?",
    "Dove pedali di solito, e per cosa la usi? / Where do you usually ride, and what for?",
)

ROVERE = CommunityPlan(
    slug="rovere-riders",
    name="Rovere Riders",
    tagline="La community di chi pedala una Rovere: consigli, uscite e idee per le prossime bici.",
    language="it",
    interests=("e-bike", "cicloturismo", "mobilità sostenibile", "cargo bike"),
    owner="davide_zanon",
    created_days_ago=212,
    visibility="private",
    join_policy="request",
    screening_questions=ROVERE_QUESTIONS,
    description="""\
Ciao! Siamo **Rovere Bikes**, una piccola officina di Vicenza che progetta e assembla e-bike da
città, da viaggio e cargo. Questo è lo spazio per chi ne pedala una — o ci sta pensando seriamente.

Qui trovi:

- consigli pratici su **batteria, manutenzione e regolazioni**, da altri rider e dal nostro team;
- le **uscite di gruppo** nei colli Berici e lungo la ciclovia del Brenta;
- le anteprime dei prototipi, su cui vogliamo sentire la vostra opinione *prima* di produrli.

Chi lavora in Rovere lo dice sempre: i nostri messaggi sono contrassegnati come staff.

*English:* this is the owners' circle of Rovere Bikes, a small e-bike maker in Vicenza, Italy. Write
in English if you prefer — the team and many riders will answer.
""",
    rules="""\
1. Siamo qui per aiutarci: le critiche ai prodotti sono benvenute, se costruttive.
2. Per problemi urgenti di sicurezza scrivi anche all'assistenza: rispondiamo entro un giorno
   lavorativo.
3. Niente annunci di vendita di bici rubate o senza numero di telaio.
4. I dati che condividi restano qui: non li usiamo per pubblicità.
""",
    moderators=("silvia_marchetti",),
    brand_name="Rovere Bikes",
    invitations=(
        Invite(
            by="davide_zanon", to="silvia_marchetti", days_ago=211,
            accepted_by=("silvia_marchetti",),
        ),
    ),
    requests=(
        Request(
            "lorenzo_fontana",
            ("Rovere Città, dal 2023.",
             "Padova, casa-lavoro tutti i giorni: 18 km andata e ritorno."),
            days_ago=190, outcome="approved", decided_after=0.3,
        ),
        Request(
            "roberto_marino",
            ("Rovere Trekking, presa in primavera.",
             "Collina torinese e qualche giro lungo il Po con mia moglie."),
            days_ago=176, message="Ho conosciuto Davide alla fiera di Verona, mi ha parlato di "
            "questo gruppo.", outcome="approved", decided_after=1.2,
        ),
        Request(
            "beatrice_mancini",
            ("Rovere Cargo, la versione lunga.",
             "Trieste: asilo, scuola e spesa. Salite vere, bora compresa."),
            days_ago=150, outcome="approved", decided_after=0.6,
        ),
        Request(
            "daniel_weber",
            ("A Rovere Trekking, bought in 2024.",
             "Zurich: commuting every day and lake tours at the weekend."),
            days_ago=121, message="Happy to write in English, my Italian is still basic!",
            outcome="approved", decided_after=0.9,
        ),
        Request(
            "luca_dallago",
            ("Rovere Monte, per accompagnare i clienti sui sentieri facili.",
             "Cortina e dintorni, da maggio a ottobre."),
            days_ago=64, outcome="approved", decided_after=2.0,
        ),
        Request(
            "andrea_lombardi",
            ("Nessuna per ora, ma vorrei sapere quando arrivano gli sconti.",
             "Bergamo, in città."),
            days_ago=47, outcome="declined", decided_after=1.5,
            note="Ciao Andrea, questo spazio è per chi pedala già una Rovere. Quando arriverà la "
            "tua ti aspettiamo volentieri! Per le offerte trovi la newsletter sul nostro sito.",
        ),
        Request(
            "ilaria_vitale",
            ("Rovere Città usata, comprata da un amico.",
             "Genova, per le salite verso casa: senza motore non ci arriverei."),
            days_ago=5, message="Il numero di telaio ce l'ho, se serve.",
        ),
        Request(
            "lukas_hofer",
            ("Thinking about the Rovere Monte for next summer.",
             "Munich and the Dolomites — I'd like to try it on the Sellaronda."),
            days_ago=3,
        ),
        Request(
            "chiara_colombo",
            ("Sto valutando la Rovere Città o la Cargo corta.",
             "Milano, per andare al lavoro e lasciare l'auto in garage."),
            days_ago=1, message="Mi piacerebbe provarne una prima di decidere, organizzate test?",
        ),
    ),
)  # fmt: skip

SOURDOUGH = CommunityPlan(
    slug="lievito-madre",
    name="Circolo del Lievito Madre",
    tagline="Dodici fornai di casa, un lievito madre a testa, e tanti consigli sinceri.",
    language="it",
    interests=("lievito madre", "pane", "pizza", "farine"),
    owner="rosa_esposito",
    created_days_ago=112,
    member_cap=12,
    description="""\
Un circolo piccolo di proposito: **dodici posti**, perché ogni pane postato riceva una risposta
vera e ogni lievito madre in crisi qualcuno che lo conosce per nome.

Ogni mese scegliamo **una ricetta** — pane di semola, pizza in teglia, panettone per i coraggiosi
— la facciamo tutti e confrontiamo risultati, foto della mollica e fogli di calcolo.

Se il circolo è pieno puoi metterti in lista d'attesa: quando si libera un posto ti avvisiamo.
""",
    rules="""\
- Posta la ricetta completa (farine, idratazione, tempi e temperature) quando chiedi un parere.
- Consigli gentili: la mollica perfetta non esiste, quella migliorabile sì.
- Se per tre mesi non passi dal circolo, lascia il posto a chi è in lista d'attesa.
""",
    moderators=("paolo_bianchi",),
    members=(
        "valentina_greco", "giorgia_ferri", "elena_conti", "roberto_marino", "sophie_martin",
        "camilla_fabbri", "laura_deangelis", "matteo_galli", "ilaria_vitale", "martina_gallo",
    ),
    waitlist=("federica_longo",),
)  # fmt: skip

MEEPLES = CommunityPlan(
    slug="thursday-meeples",
    name="Thursday Meeples",
    tagline="A small board-game table in Bologna: heavy euros, co-ops and a teach every Thursday.",
    language="en",
    interests=("board games", "eurogames", "co-op games"),
    owner="emma_clarke",
    created_days_ago=92,
    visibility="hidden",
    join_policy="invitation",
    description="""\
Every **Thursday at 20:30** we take over the back room of a café near Piazza Santo Stefano and
play until they throw us out.

This is where we plan the table: who's coming, which game we'll teach, who brings what. Mostly
medium-to-heavy euros and co-ops, with a filler while the last people arrive.

We keep the group small so everyone gets a seat: invitations only, from any member.
""",
    rules="""\
- Say by Wednesday evening if you're coming, so we can pick games for the right player count.
- Teach generously, play gently: no quarterbacking in co-ops.
- English at the table, Italian welcome in the chat.
""",
    moderators=("tommaso_benedetti",),
    invitations=(
        Invite(
            by="emma_clarke", days_ago=90, expires_in_days=30, max_uses=8,
            accepted_by=("tommaso_benedetti", "grace_okafor", "mateo_garcia", "paolo_bianchi"),
        ),
        Invite(by="emma_clarke", to="aoife_byrne", days_ago=41, accepted_by=("aoife_byrne",)),
        Invite(by="tommaso_benedetti", days_ago=4, expires_in_days=30, max_uses=10),
        Invite(by="emma_clarke", to="giorgia_ferri", days_ago=2, expires_in_days=14),
        Invite(by="emma_clarke", to="marta.bruno@example.org", days_ago=1, expires_in_days=14),
    ),
)  # fmt: skip

COMMUNITIES: tuple[CommunityPlan, ...] = (
    ESPRESSO, BALCONY, FILM, TRAIL, ROVERE, SOURDOUGH, MEEPLES,
)  # fmt: skip
