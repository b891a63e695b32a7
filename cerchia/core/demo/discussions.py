"""What the demo communities talk about: topics, questions and their answers, replies, reactions.

Each community's threads are written in its own language by people who belong to it;
the loader plays them through the discussions actions after the writers have joined.
"""

from __future__ import annotations

from cerchia.core.demo.spec import Reply, Thread

# --- Espresso a Casa (it) ---------------------------------------------------------------

ESPRESSO = (
    Thread(
        community="espresso-a-casa",
        by="giulia_rinaldi",
        kind="announcement",
        title="Benvenuti! Presentatevi qui e raccontate cosa usate",
        days_ago=200,
        pinned_by="giulia_rinaldi",
        body="""\
Ciao a tutti e benvenuti in **Espresso a Casa**!

Per rompere il ghiaccio, scrivete qui sotto:

1. che macchina e che macinacaffè usate;
2. che caffè state bevendo in questo periodo;
3. il problema che vi toglie il sonno (acidità? channeling? latte che non monta?).

Io parto: leva a molla, macinacaffè conico da 58 mm e in questo momento un Etiopia naturale
tostato a Torino. Il mio problema è che non smetto di comprare caffè.""",
        reactions=(
            ("marco_ferretti", "heart"),
            ("camilla_fabbri", "heart"),
            ("elena_conti", "thumbs_up"),
        ),
        replies=(
            Reply(
                "marco_ferretti",
                """\
Doppia caldaia con profilo di pressione, macinacaffè piatto da 64 mm. Bevo quasi solo miscele
chiare per espresso. Problema: passo più tempo sul foglio di calcolo che a bere il caffè.""",
                after_hours=2,
                reactions=(("giulia_rinaldi", "funny"),),
            ),
            Reply(
                "elena_conti",
                """\
Ciao! Io sono all'inizio: macchina a pompa entry level e macinacaffè manuale. Bevo un Brasile
che mi ha consigliato la torrefazione sotto casa. Il mio problema: gli shot escono in 15 secondi
anche se macino finissimo.""",
                after_hours=30,
                reactions=(("giulia_rinaldi", "thumbs_up"),),
            ),
            Reply(
                "camilla_fabbri",
                """\
@elena_conti 15 secondi con macinatura finissima di solito vuol dire caffè vecchio o dose troppo
bassa per il filtro. Prova a pesare: 16 g nel filtro doppio, e guarda la data di tostatura sul
pacco. Se è più vecchio di due mesi, il problema è lì.""",
                after_hours=4,
                reply_to=3,
                reactions=(("elena_conti", "thanks"), ("giulia_rinaldi", "insightful")),
            ),
            Reply(
                "elena_conti",
                """\
Aveva ragione @camilla_fabbri: tostato a marzo 😅 Preso un pacco fresco, ora sono a 27 secondi.""",
                after_hours=26,
                reactions=(("camilla_fabbri", "heart"), ("marco_ferretti", "funny")),
            ),
        ),
    ),
    Thread(
        community="espresso-a-casa",
        by="andrea_lombardi",
        kind="question",
        title="Shot acido anche allungando il tempo: cosa sbaglio?",
        days_ago=12,
        tags=("espresso", "macinacaffè"),
        body="""\
Ciao, da qualche giorno tutti i miei espressi sono **acidi e sottili**, anche se sono passato da
25 a 32 secondi di estrazione.

- Dose: 18 g
- Resa: 36 g
- Tempo: 32 s
- Caffè: Kenya lavato, tostatura media, tostato da tre settimane
- Macchina a pompa con PID a 92 °C

Macino più fine ma non cambia molto. Idee?""",
        reactions=(("valentina_greco", "thumbs_up"),),
        bookmarked_by=("lorenzo_fontana",),
        replies=(
            Reply(
                "valentina_greco",
                """\
Anche a me è successo col Kenya: è un caffè molto acido di suo. Prova ad allungare la resa
invece del tempo.""",
                after_hours=1.5,
            ),
            Reply(
                "marco_ferretti",
                """\
Con un Kenya lavato a tostatura media, 92 °C è basso. Ti direi:

1. **temperatura a 94–95 °C**, è la leva che conta di più per i lavati chiari;
2. rapporto 1:2,5 (18 g → 45 g) invece di 1:2;
3. il tempo lascialo dove capita, non macinare ancora più fine: rischi il channeling.

L'acidità "buona" del Kenya resta, ma sparisce quella aspra da sottoestrazione.""",
                after_hours=3,
                reply_to=1,
                reactions=(
                    ("andrea_lombardi", "thanks"),
                    ("giulia_rinaldi", "insightful"),
                    ("valentina_greco", "insightful"),
                ),
                bookmarked_by=("andrea_lombardi", "elena_conti"),
            ),
            Reply(
                "andrea_lombardi",
                """\
Provato stamattina: 95 °C e 18 → 44 g in 29 secondi. Tutta un'altra cosa, finalmente sento il
ribes e non il limone. Grazie @marco_ferretti!""",
                after_hours=18,
                reply_to=3,
                quotes=3,
                reactions=(("marco_ferretti", "heart"),),
            ),
            Reply(
                "giulia_rinaldi",
                """\
Segno per tutti: la temperatura è la prima cosa da toccare quando si cambia caffè. Metto il
thread tra i consigli del mese.""",
                after_hours=5,
            ),
        ),
        accepted=3,
    ),
    Thread(
        community="espresso-a-casa",
        by="lorenzo_fontana",
        title="Macinacaffè manuale per viaggiare: ne vale la pena?",
        days_ago=9,
        tags=("macinacaffè",),
        body="""\
A dicembre passo un mese dai miei e non voglio tornare alla moka. Pensavo a un macinacaffè
manuale e un'AeroPress, oppure a una piccola leva portatile.

Qualcuno ha esperienza con la leva portatile per l'espresso vero? Quanto è pratica in viaggio?""",
        replies=(
            Reply(
                "roberto_marino",
                """\
Ho la leva portatile da due anni: l'espresso è buono, ma serve un bollitore e un po' di pazienza.
Per un mese dai tuoi va benissimo, in campeggio meno.""",
                after_hours=4,
                reactions=(("lorenzo_fontana", "thanks"),),
            ),
            Reply(
                "camilla_fabbri",
                """\
Io in viaggio porto solo il manuale e una V60: pesa poco e il filtro con un buon caffè chiaro mi
fa dimenticare l'espresso per qualche settimana. Però sono di parte 😄""",
                after_hours=6,
                reactions=(("giulia_rinaldi", "funny"), ("lorenzo_fontana", "thumbs_up")),
            ),
            Reply(
                "daniel_weber",
                """\
Sorry for writing in English! I travel with a hand grinder and a portable lever every month
between Zurich and Italy. The grinder matters more than the brewer: get one with a good burr set
and stepless adjustment, and you can use it at home too.""",
                after_hours=20,
                reactions=(("lorenzo_fontana", "insightful"), ("marco_ferretti", "thumbs_up")),
            ),
        ),
    ),
    Thread(
        community="espresso-a-casa",
        by="martina_gallo",
        title="Latte art: il mio primo cuore (più o meno)",
        days_ago=3,
        tags=("latte art",),
        body="""\
Dopo tre settimane e una quantità imbarazzante di latte, oggi è uscito qualcosa che somiglia a un
cuore. È un po' storto, ma è il mio.

Consigli per rendere la schiuma più lucida? Mi sembra sempre un po' troppo densa.""",
        reactions=(
            ("giulia_rinaldi", "heart"),
            ("camilla_fabbri", "heart"),
            ("alessandro_romano", "heart"),
            ("laura_deangelis", "thumbs_up"),
        ),
        replies=(
            Reply(
                "camilla_fabbri",
                """\
Brava! Per la schiuma lucida: incorpora aria solo nei primi 3–4 secondi, poi tieni la lancia più
in basso e fai girare il latte finché la brocca è troppo calda da tenere. E batti la brocca sul
bancone prima di versare.""",
                after_hours=2,
                reactions=(("martina_gallo", "thanks"),),
                bookmarked_by=("martina_gallo",),
            ),
            Reply(
                "alessandro_romano",
                """\
Il mio primo cuore sembrava una patata. Il tuo è già meglio 😄""",
                after_hours=5,
                reactions=(("martina_gallo", "funny"),),
            ),
        ),
    ),
)

# --- Balcony Growers (en) ---------------------------------------------------------------

BALCONY = (
    Thread(
        community="balcony-growers",
        by="aoife_byrne",
        kind="announcement",
        title="Start here: the pollinator list for pots and windy balconies",
        days_ago=155,
        pinned_by="aoife_byrne",
        tags=("pollinators",),
        body="""\
Plants bees and hoverflies love, that also survive in containers and wind:

| Plant | Pot size | Sun | Notes |
| --- | --- | --- | --- |
| Lavender | 20 l | full | needs drainage, hates wet feet |
| Borage | 10 l | full | self-seeds everywhere, edible flowers |
| Thyme | 5 l | full | tough as nails |
| Salvia | 10 l | half | flowers until November in Bologna |
| Marjoram | 5 l | half | bees go mad for it in July |

Add your own in the replies and I'll keep the table up to date.""",
        reactions=(
            ("ines_ferreira", "heart"),
            ("priya_nair", "thanks"),
            ("giorgia_ferri", "thanks"),
            ("sophie_martin", "insightful"),
        ),
        bookmarked_by=("giorgia_ferri", "priya_nair"),
        replies=(
            Reply(
                "ines_ferreira",
                """\
Calamint (*Calamintha nepeta*)! Tiny flowers, flowers for months, and it's the busiest plant on
my balcony in September.""",
                after_hours=5,
                reactions=(("aoife_byrne", "insightful"),),
            ),
            Reply(
                "matteo_galli",
                """\
Rosemary in a big pot, north-east facing, and it still flowered in February for the first
bees of the year.""",
                after_hours=30,
            ),
        ),
    ),
    Thread(
        community="balcony-growers",
        by="giorgia_ferri",
        kind="question",
        title="Tomato leaves curling upwards in a north-facing pot",
        days_ago=11,
        tags=("tomatoes",),
        body="""\
My cherry tomatoes on a north-facing balcony in Milan have leaves **curling upwards**, the
lower ones first. No spots, no bugs I can see. I water every evening. Is it too much water,
too little sun, or something else?""",
        reactions=(("sofia_ricci", "thumbs_up"),),
        replies=(
            Reply(
                "priya_nair",
                """\
Could be heat stress: do they get the afternoon reflection off the building opposite?""",
                after_hours=3,
            ),
            Reply(
                "aoife_byrne",
                """\
Upward curling of the lower leaves with no spots is almost always **physiological leaf roll**:
the plant protecting itself from watering swings and heat. It's harmless.

- water in the morning, deeply, and only when the top 3 cm are dry;
- mulch the pot so it doesn't dry out by noon;
- a north-facing balcony is fine for cherry tomatoes, but pick a small variety next year.""",
                after_hours=6,
                reply_to=1,
                reactions=(
                    ("giorgia_ferri", "thanks"),
                    ("ines_ferreira", "insightful"),
                    ("priya_nair", "thumbs_up"),
                ),
                bookmarked_by=("giorgia_ferri",),
            ),
            Reply(
                "giorgia_ferri",
                """\
Morning watering and a layer of straw: a week later the new leaves are flat again. Thank you
@aoife_byrne!""",
                after_hours=190,
                reactions=(("aoife_byrne", "heart"),),
            ),
        ),
        accepted=3,
    ),
    Thread(
        community="balcony-growers",
        by="sophie_martin",
        title="What I sowed this month: November",
        days_ago=6,
        body="""\
Garlic in a long trough, broad beans in the deep pot, and lamb's lettuce for the winter salads.
What's going in on your balconies?""",
        reactions=(("emma_clarke", "thumbs_up"),),
        replies=(
            Reply(
                "beatrice_mancini",
                """\
In Trieste the bora flattens everything, so only garlic and some spinach behind the railing
glass. Fingers crossed.""",
                after_hours=8,
                reactions=(("sophie_martin", "heart"),),
            ),
            Reply(
                "emma_clarke",
                """\
Sweet peas, sown now for flowers in May. My Thursday game group has been promised a bunch.""",
                after_hours=12,
                reactions=(("aoife_byrne", "heart"),),
            ),
            Reply(
                "ilaria_vitale",
                """\
Fave e piselli anche qui a Genova, sorry for the Italian 🙂 Broad beans and peas.""",
                after_hours=20,
            ),
        ),
    ),
)

# --- Grain & Silver (en) ----------------------------------------------------------------

FILM = (
    Thread(
        community="grain-and-silver",
        by="jonas_lindqvist",
        kind="announcement",
        title='Monthly theme: "Windows" — post one frame by the 30th',
        days_ago=12,
        pinned_by="francesca_moretti",
        body="""\
This month's theme is **windows**: looking in, looking out, reflections, frames within frames.

- one photograph per person, shot on film this month;
- say the camera, film and developer;
- critique is on unless you write *no critique* in your post.""",
        reactions=(
            ("francesca_moretti", "thumbs_up"),
            ("simone_serra", "heart"),
            ("oliver_bennett", "thumbs_up"),
        ),
        replies=(
            Reply(
                "simone_serra",
                """\
Train window at dusk, Rollei 35, HP5 pushed to 1600 in Rodinal 1+50. Grainy as sand and I love
it.""",
                after_hours=50,
                reactions=(("jonas_lindqvist", "heart"), ("sofia_ricci", "heart")),
            ),
            Reply(
                "sofia_ricci",
                """\
Mine is my grandmother's kitchen window in Lecce, Portra 400 on an old Pentax. The light at
7 a.m. is unbeatable.""",
                after_hours=40,
                reactions=(("francesca_moretti", "heart"), ("simone_serra", "thumbs_up")),
            ),
        ),
    ),
    Thread(
        community="grain-and-silver",
        by="nicola_rizzo",
        kind="question",
        title="Streaks on HP5 developed in a Paterson tank",
        days_ago=30,
        tags=("darkroom", "black and white"),
        body="""\
Third roll in a row with **lighter streaks** running from the sprocket holes into the frame.
HP5 at box speed, ID-11 stock, 9 minutes at 20 °C, agitating by inversion for 10 s every
minute. What am I doing wrong?""",
        replies=(
            Reply(
                "oliver_bennett",
                "Are you using the twiddle stick instead of inversions by any chance?",
                after_hours=2,
            ),
            Reply("nicola_rizzo", "No, proper inversions, four per cycle.", after_hours=1),
            Reply(
                "francesca_moretti",
                """\
That's surge marks: developer rushing through the sprocket holes when you invert too hard.
Try **gentler inversions** with a slight twist, and fill the tank completely — no air gap at
the top. With ID-11 stock you can also agitate every two minutes; nine minutes is long enough.""",
                after_hours=4,
                reply_to=1,
                reactions=(
                    ("nicola_rizzo", "thanks"),
                    ("jonas_lindqvist", "insightful"),
                    ("priya_nair", "insightful"),
                ),
                bookmarked_by=("nicola_rizzo", "mateo_garcia"),
            ),
            Reply(
                "nicola_rizzo",
                """\
Filled the tank to the top and slowed down: the new roll is clean. Thanks @francesca_moretti!""",
                after_hours=72,
                reactions=(("francesca_moretti", "heart"),),
            ),
        ),
        accepted=4,
    ),
    Thread(
        community="grain-and-silver",
        by="priya_nair",
        title="Camera scanning setup on a budget",
        days_ago=15,
        body="""\
I've had enough of lab scans. Thinking of a copy stand, a macro lens and an LED panel. What
matters most? I'd rather spend on the part that makes the biggest difference.""",
        replies=(
            Reply(
                "mateo_garcia",
                """\
The light source. A cheap panel with poor colour rendering will fight you on every colour
negative. Get a high-CRI one and a film holder that keeps the film flat; the lens comes third.""",
                after_hours=7,
                reactions=(("priya_nair", "thanks"), ("oliver_bennett", "thumbs_up")),
            ),
            Reply(
                "sophie_martin",
                "+1 on the film holder, curled 120 film was my whole first month.",
                after_hours=9,
                reactions=(("priya_nair", "funny"),),
            ),
        ),
    ),
)

# --- Trail Dolomiti (it) ----------------------------------------------------------------

TRAIL = (
    Thread(
        community="trail-dolomiti",
        by="luca_dallago",
        kind="announcement",
        title="Sicurezza in quota: la checklist prima di ogni uscita",
        days_ago=125,
        pinned_by="luca_dallago",
        body="""\
Da leggere prima di ogni uscita, anche quella "corta":

- **meteo e bollettino** della mattina stessa, non della sera prima;
- giacca impermeabile con cappuccio, strato caldo, telo termico, frontale;
- almeno 1 litro d'acqua e sapere dove sono le fonti;
- telefono carico e traccia scaricata offline;
- dire a qualcuno dove vai e a che ora pensi di tornare.

Il 112 funziona anche senza campo del proprio operatore.""",
        reactions=(
            ("anna_pichler", "thumbs_up"),
            ("stefano_costa", "thumbs_up"),
            ("martina_gallo", "thanks"),
        ),
        bookmarked_by=("martina_gallo",),
    ),
    Thread(
        community="trail-dolomiti",
        by="stefano_costa",
        title="Uscita di gruppo sabato: anello del Nuvolau all'alba",
        days_ago=4,
        body="""\
Sabato partenza alle **6:00 dal Passo Giau**: Nuvolau, Averau e ritorno per le Cinque Torri.
Circa 14 km e 900 m di dislivello, ritmo tranquillo, si aspetta tutti.

Chi viene? @anna_pichler porti tu il kit di primo soccorso?""",
        reactions=(("luca_dallago", "thumbs_up"),),
        replies=(
            Reply(
                "anna_pichler",
                "Ci sono, kit nello zaino. Porto anche due frontali di scorta.",
                after_hours=1,
                reactions=(("stefano_costa", "thanks"),),
            ),
            Reply(
                "alessandro_romano",
                """\
Io ci sono! Dormo a Cortina venerdì, se qualcuno deve salire da lì ho due posti in macchina.""",
                after_hours=5,
                reactions=(("martina_gallo", "heart"),),
            ),
            Reply(
                "martina_gallo",
                "Prenoto un posto in macchina con @alessandro_romano 🙋‍♀️",
                after_hours=2,
                reply_to=3,
            ),
            Reply(
                "lukas_hofer",
                """\
Sorry, my Italian is slow: I would like to join. I arrive from Munich on Friday night, is
6:00 at Passo Giau the meeting point?""",
                after_hours=10,
            ),
            Reply(
                "stefano_costa",
                """\
Yes @lukas_hofer, 6:00 at the pass, by the chapel. Bring a warm layer: it will be below zero
at the start.""",
                after_hours=1,
                reply_to=5,
                reactions=(("lukas_hofer", "thanks"),),
            ),
        ),
    ),
    Thread(
        community="trail-dolomiti",
        by="mateo_garcia",
        kind="question",
        title="Bastoncini sì o no per la prima ultra?",
        days_ago=18,
        tags=("ultra trail",),
        body="""\
Scusate l'italiano! Preparo la mia prima ultra (60 km, 3.500 m D+). Non ho mai usato i
bastoncini: conviene imparare adesso o rischio di più a usarli male in gara?""",
        replies=(
            Reply(
                "nicola_rizzo",
                "Io senza non ci andrei più, ma provali in allenamento prima.",
                after_hours=4,
            ),
            Reply(
                "anna_pichler",
                """\
Con 3.500 m di salita sì, **portali**: sulle salite lunghe risparmi le gambe per la discesa.
Ma usali in almeno 4–5 lunghi prima della gara, anche per imparare a riporli al volo nella
cintura. In discesa tecnica tienili chiusi: i polsi ringraziano.""",
                after_hours=6,
                reactions=(("mateo_garcia", "thanks"), ("luca_dallago", "insightful")),
                bookmarked_by=("mateo_garcia",),
            ),
        ),
        accepted=3,
        accepted_by="mateo_garcia",
    ),
)

# --- Rovere Riders (it, private) ------------------------------------------------------------

ROVERE = (
    Thread(
        community="rovere-riders",
        by="davide_zanon",
        kind="announcement",
        title="Prototipo Rovere Cargo corta: diteci cosa ne pensate",
        days_ago=14,
        pinned_by="silvia_marchetti",
        tags=("cargo bike",),
        body="""\
Ciao a tutti! Stiamo lavorando a una **Cargo corta**: 2,1 m di lunghezza invece di 2,5,
portata 120 kg, batteria da 630 Wh rimovibile, seggiolino per due bambini.

Prima di andare in produzione vorremmo sapere da chi usa già le nostre bici:

1. cosa vi manca della bici che avete?
2. quanto conta il peso rispetto all'autonomia?
3. la provereste a un test ride a Vicenza a febbraio?

Leggiamo tutto, e rispondiamo anche alle critiche. — Davide""",
        reactions=(
            ("beatrice_mancini", "heart"),
            ("lorenzo_fontana", "thumbs_up"),
            ("roberto_marino", "thumbs_up"),
        ),
        replies=(
            Reply(
                "beatrice_mancini",
                """\
Uso la Cargo lunga tutti i giorni a Trieste. Quello che mi manca: un **cavalletto centrale** più
stabile quando carico i bambini in salita, e parafanghi che coprano davvero. Al test ride ci
sono!""",
                after_hours=3,
                reactions=(("davide_zanon", "thanks"), ("silvia_marchetti", "insightful")),
            ),
            Reply(
                "daniel_weber",
                """\
For me autonomy beats weight: Zurich winters cut my range by a third. And please keep the
battery removable — I charge it at the office.""",
                after_hours=9,
                reactions=(("davide_zanon", "thanks"),),
            ),
            Reply(
                "silvia_marchetti",
                """\
Grazie @beatrice_mancini e @daniel_weber, prendiamo nota. Il cavalletto centrale nuovo è già nel
prototipo: a febbraio lo provate voi.""",
                after_hours=20,
                reply_to=2,
                reactions=(("beatrice_mancini", "heart"),),
            ),
        ),
    ),
    Thread(
        community="rovere-riders",
        by="roberto_marino",
        kind="question",
        title="Autonomia della batteria in inverno: è normale perdere così tanto?",
        days_ago=8,
        body="""\
Con le prime mattine fredde (2–3 °C) la mia Trekking fa 45 km invece dei soliti 70 in modalità
Tour. La batteria ha un anno e mezzo. È normale o devo farla controllare?""",
        replies=(
            Reply(
                "lorenzo_fontana",
                "Anche la mia Città perde parecchio sotto i 5 gradi, sul 30%.",
                after_hours=2,
            ),
            Reply(
                "silvia_marchetti",
                """\
Ciao Roberto, è normale: a 2–3 °C una batteria al litio rende il **25–35% in meno**. Tre consigli:

- tienila in casa e montala solo prima di partire;
- caricala a temperatura ambiente, mai appena rientrata dal freddo;
- in inverno usa una modalità più bassa nei primi 10 minuti, finché le celle si scaldano.

Se con la batteria calda fai meno di 60 km, scrivi all'assistenza con il numero di telaio e la
controlliamo gratis.""",
                after_hours=5,
                reactions=(
                    ("roberto_marino", "thanks"),
                    ("lorenzo_fontana", "insightful"),
                    ("davide_zanon", "thumbs_up"),
                ),
                bookmarked_by=("roberto_marino", "daniel_weber"),
            ),
            Reply(
                "roberto_marino",
                "Tenuta in casa stanotte: 62 km stamattina. Grazie Silvia!",
                after_hours=40,
                reactions=(("silvia_marchetti", "heart"),),
            ),
        ),
        accepted=3,
    ),
    Thread(
        community="rovere-riders",
        by="beatrice_mancini",
        disclosure="gift",
        title="Provata la nuova borsa laterale impermeabile",
        days_ago=1,
        tags=("cargo bike",),
        body="""\
Il team mi ha mandato da provare la nuova borsa laterale da 25 litri. Dopo una settimana di
pioggia e bora a Trieste: **dentro tutto asciutto**, l'aggancio si monta con una mano anche con
i guanti. Il difetto: la tracolla è corta, con il giubbotto invernale tira un po'.

Se avete domande chiedete pure, la uso tutti i giorni per la spesa.""",
        reactions=(("roberto_marino", "thumbs_up"), ("silvia_marchetti", "thanks")),
    ),
    Thread(
        community="rovere-riders",
        by="luca_dallago",
        title="Giro dei colli Berici a primavera?",
        days_ago=2,
        body="""\
Accompagno spesso clienti sui sentieri facili a Cortina, ma non ho mai pedalato sui Berici.
Se organizzate un'uscita di gruppo in primavera vengo volentieri: qualcuno conosce un anello da
50–60 km con qualche strada bianca?""",
        replies=(
            Reply(
                "davide_zanon",
                """\
Certo! Il nostro anello preferito parte dall'officina, sale a Monte Berico e va verso Arcugnano
e il lago di Fimon: 55 km, 700 m, metà bianca. Lo mettiamo in calendario ad aprile.""",
                after_hours=3,
                reactions=(("luca_dallago", "thumbs_up"), ("beatrice_mancini", "heart")),
            ),
        ),
    ),
)

# --- Circolo del Lievito Madre (it, capped) -----------------------------------------------

SOURDOUGH = (
    Thread(
        community="lievito-madre",
        by="rosa_esposito",
        kind="announcement",
        title="Ricetta del mese: pane di semola rimacinata",
        days_ago=25,
        pinned_by="paolo_bianchi",
        tags=("pane", "farine"),
        body="""\
Questo mese facciamo tutti il **pane di semola**:

- 1000 g semola rimacinata di grano duro
- 750 g acqua (75%), 200 g lievito madre a 50% di idratazione, 22 g sale
- autolisi 1 ora, poi lievito e sale; tre giri di pieghe a 30 minuti
- puntata 3 ore a 24 °C, formatura, appretto in frigo 12 ore
- cottura a 250 °C con vapore per 20 minuti, poi 220 °C per 30

Postate le foto della mollica entro fine mese!""",
        reactions=(
            ("paolo_bianchi", "thumbs_up"),
            ("valentina_greco", "heart"),
            ("giorgia_ferri", "thumbs_up"),
            ("camilla_fabbri", "heart"),
        ),
        bookmarked_by=("giorgia_ferri", "elena_conti", "matteo_galli"),
        replies=(
            Reply(
                "giorgia_ferri",
                """\
Fatto ieri! Mollica gialla e alveolatura regolare, ma la crosta è venuta un po' troppo scura.
Forno statico: abbasso a 230 °C la prossima volta?""",
                after_hours=70,
                reactions=(("rosa_esposito", "heart"),),
            ),
            Reply(
                "rosa_esposito",
                """\
@giorgia_ferri sì, con lo statico 230 °C e togli il vapore dopo 15 minuti. La semola ha più
zuccheri liberi e colora prima della farina di grano tenero.""",
                after_hours=3,
                reply_to=2,
                reactions=(("giorgia_ferri", "thanks"), ("paolo_bianchi", "insightful")),
            ),
            Reply(
                "elena_conti",
                """\
Il mio è venuto piatto come una focaccia 😭 Credo di aver sbagliato l'appretto: il frigo di casa
è a 8 gradi.""",
                after_hours=30,
                reactions=(("valentina_greco", "heart"),),
            ),
            Reply(
                "paolo_bianchi",
                """\
@elena_conti a 8 °C dodici ore sono troppe con questa idratazione. Prova otto ore, o tienilo nel
cassetto delle verdure che è più freddo.""",
                after_hours=4,
                reply_to=4,
                reactions=(("elena_conti", "thanks"),),
            ),
        ),
    ),
    Thread(
        community="lievito-madre",
        by="valentina_greco",
        kind="question",
        title="Lievito madre che sa di acetone dopo le vacanze",
        days_ago=11,
        tags=("lievito madre",),
        body="""\
Tornata da due settimane via: il lievito madre in frigo ha un liquido grigio sopra e un odore
fortissimo di acetone. È da buttare?""",
        replies=(
            Reply(
                "matteo_galli",
                "Il mio sopravvive a tutto, anche a un mese di abbandono. Non buttarlo!",
                after_hours=1,
            ),
            Reply(
                "paolo_bianchi",
                """\
Non buttarlo: è solo **affamato**. Togli il liquido, tieni 50 g della parte centrale e fai tre
rinfreschi a 1:2:2 ogni 8–12 ore a temperatura ambiente. Al terzo dovrebbe raddoppiare in 4 ore
e profumare di yogurt.""",
                after_hours=2,
                reactions=(
                    ("valentina_greco", "thanks"),
                    ("rosa_esposito", "thumbs_up"),
                    ("ilaria_vitale", "insightful"),
                ),
                bookmarked_by=("ilaria_vitale",),
            ),
            Reply(
                "valentina_greco",
                "Tre rinfreschi dopo è tornato vivo e profumato. Salvo! 🎉",
                after_hours=40,
                reactions=(("paolo_bianchi", "heart"), ("matteo_galli", "heart")),
            ),
        ),
        accepted=3,
    ),
)

# --- Thursday Meeples (en, hidden) ---------------------------------------------------------

MEEPLES = (
    Thread(
        community="thursday-meeples",
        by="emma_clarke",
        title="Thursday: who's in, and what do we teach?",
        days_ago=1.5,
        body="""\
Back room booked from 20:30 as usual. Two tables if we're eight or more.

Proposals for the teach: **Ark Nova** (long, but we have three people who know it) or
**Spirit Island** for the co-op table. Vote with a reaction on the replies below!""",
        reactions=(("tommaso_benedetti", "thumbs_up"),),
        replies=(
            Reply(
                "tommaso_benedetti",
                "Ark Nova: I can teach it, 20 minutes tops. I promise.",
                after_hours=1,
                reactions=(("grace_okafor", "thumbs_up"), ("emma_clarke", "funny")),
            ),
            Reply(
                "grace_okafor",
                "Spirit Island please, I've been reading the rulebook for a week.",
                after_hours=2,
                reactions=(
                    ("mateo_garcia", "thumbs_up"),
                    ("aoife_byrne", "thumbs_up"),
                    ("paolo_bianchi", "thumbs_up"),
                ),
            ),
            Reply(
                "paolo_bianchi",
                "Ci sono! I'll bring a focaccia, as usual.",
                after_hours=5,
                reactions=(
                    ("emma_clarke", "heart"),
                    ("mateo_garcia", "heart"),
                    ("grace_okafor", "heart"),
                ),
            ),
            Reply(
                "aoife_byrne", "In, but I'll be 15 minutes late. Start without me.", after_hours=3
            ),
        ),
    ),
    Thread(
        community="thursday-meeples",
        by="tommaso_benedetti",
        kind="question",
        title="Rules question: can you trade resources on someone else's turn?",
        days_ago=20,
        body="""\
Last Thursday we argued for ten minutes about trading in the space game. Can the active player
trade with anyone at any time, or only during their own action phase?""",
        replies=(
            Reply(
                "mateo_garcia",
                """\
Rulebook page 14: trades happen **only during the active player's action phase**, and the
active player must be one side of every trade. So no, not on someone else's turn.""",
                after_hours=6,
                reactions=(("tommaso_benedetti", "thanks"), ("emma_clarke", "insightful")),
            ),
            Reply(
                "emma_clarke", "Told you 😇", after_hours=1, reactions=(("grace_okafor", "funny"),)
            ),
        ),
        accepted=2,
    ),
)

THREADS: tuple[Thread, ...] = (*ESPRESSO, *BALCONY, *FILM, *TRAIL, *ROVERE, *SOURDOUGH, *MEEPLES)
