"""The demo members: forty people, mostly in Italy, each writing their bio in their own language."""

from __future__ import annotations

from cerchia.core.demo.spec import Person

#: Display names for the interest tags the demo uses (slug → name), so tags read well.
TAG_NAMES: dict[str, str] = {
    "espresso": "Espresso",
    "caffe-specialty": "Caffè specialty",
    "macinacaffe": "Macinacaffè",
    "latte-art": "Latte art",
    "filtro": "Caffè filtro",
    "tostatura": "Tostatura",
    "balcony-gardening": "Balcony gardening",
    "orto-sul-balcone": "Orto sul balcone",
    "tomatoes": "Tomatoes",
    "herbs": "Herbs",
    "pollinators": "Pollinators",
    "compost": "Compost",
    "peperoncini": "Peperoncini",
    "film-photography": "Film photography",
    "darkroom": "Darkroom",
    "medium-format": "Medium format",
    "black-and-white": "Black and white",
    "fotografia-analogica": "Fotografia analogica",
    "camera-oscura": "Camera oscura",
    "street-photography": "Street photography",
    "trail-running": "Trail running",
    "dolomiti": "Dolomiti",
    "skyrunning": "Skyrunning",
    "ultra-trail": "Ultra trail",
    "montagna": "Montagna",
    "fisioterapia": "Fisioterapia",
    "e-bike": "E-bike",
    "cicloturismo": "Cicloturismo",
    "mobilita-sostenibile": "Mobilità sostenibile",
    "cargo-bike": "Cargo bike",
    "gravel": "Gravel",
    "lievito-madre": "Lievito madre",
    "pane": "Pane",
    "pizza": "Pizza",
    "farine": "Farine",
    "sourdough": "Sourdough",
    "board-games": "Board games",
    "giochi-da-tavolo": "Giochi da tavolo",
    "eurogames": "Eurogames",
    "co-op-games": "Co-op games",
}

PEOPLE: tuple[Person, ...] = (
    # --- Hosts -------------------------------------------------------------------------
    Person(
        "giulia_rinaldi", "Giulia Rinaldi",
        "Home barista da quasi dieci anni, a Torino. Macchina a leva, macinacaffè conico e una "
        "bilancia sempre accesa. Ho un debole per i naturali etiopi e per chi misura tutto.",
        ("espresso", "caffè specialty", "macinacaffè"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "marco_ferretti", "Marco Ferretti",
        "Sviluppatore di giorno, barista dilettante alle sei del mattino. Doppia caldaia, profili "
        "di pressione e un foglio di calcolo con ogni estrazione dal 2021.",
        ("espresso", "latte art", "caffè specialty"),
        analytics_consent=True,
    ),
    Person(
        "camilla_fabbri", "Camilla Fabbri",
        "Barista in una caffetteria specialty di Bologna. A casa bevo solo V60, per "
        "disintossicarmi dal lavoro. Chiedetemi pure di acqua e durezza.",
        ("caffè specialty", "filtro", "latte art"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "aoife_byrne", "Aoife Byrne",
        "Irish, living in Bologna since 2019. Growing chillies, herbs and far too many tomatoes on "
        "a third-floor balcony that gets sun only after lunch.",
        ("balcony gardening", "tomatoes", "herbs"),
        language="en", visibility="public", analytics_consent=True,
    ),
    Person(
        "ines_ferreira", "Inês Ferreira",
        "Landscape architect from Lisbon. Native plants for pollinators, even on the smallest "
        "balcony. I will gently talk you out of buying another lavender that hates your wind.",
        ("pollinators", "balcony gardening", "compost"),
        language="en", timezone="Europe/Lisbon", visibility="public",
    ),
    Person(
        "matteo_galli", "Matteo Galli",
        "Terrazzo esposto a sud, quinto piano, vento forte: ogni pomodoro è una conquista. "
        "Faccio compost in un bidone sotto il tavolo e i vicini non se ne sono ancora accorti.",
        ("orto sul balcone", "tomatoes", "compost"),
    ),
    Person(
        "jonas_lindqvist", "Jonas Lindqvist",
        "Darkroom nerd in Stockholm. I shoot Tri-X in a Hasselblad 500C/M and print on fibre paper "
        "when the kids are asleep. Happy to look at your negatives.",
        ("film photography", "darkroom", "medium format"),
        language="en", timezone="Europe/Stockholm", visibility="public", analytics_consent=True,
    ),
    Person(
        "francesca_moretti", "Francesca Moretti",
        "Fotografa a pellicola dal 2012 e sviluppo in bagno, quello vero. Bianco e nero, Rodinal "
        "1+50 e una Leica M6 ereditata da mio zio.",
        ("fotografia analogica", "black and white", "camera oscura"),
        visibility="public",
    ),
    Person(
        "luca_dallago", "Luca Dal Lago",
        "Accompagnatore di media montagna a Cortina e trail runner. Ho corso la Lavaredo sei "
        "volte e l'ho finita cinque: la sesta mi ha insegnato più di tutte.",
        ("trail running", "dolomiti", "ultra trail"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "anna_pichler", "Anna Pichler",
        "Corro in Val Gardena prima del lavoro. Fisioterapista: chiedetemi di caviglie e "
        "ginocchia, non di tempi.",
        ("trail running", "dolomiti", "fisioterapia"),
    ),
    Person(
        "stefano_costa", "Stefano Costa",
        "Carabiniere forestale a Belluno: corro sugli stessi sentieri che controllo. Conosco ogni "
        "bivacco tra Agordo e la Val di Zoldo.",
        ("trail running", "dolomiti", "montagna"),
        visibility="public",
    ),
    Person(
        "davide_zanon", "Davide Zanon",
        "Co-fondatore di Rovere Bikes, a Vicenza. Disegno telai e rispondo alle vostre email, "
        "a volte nello stesso momento.",
        ("e-bike", "cicloturismo", "gravel"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "silvia_marchetti", "Silvia Marchetti",
        "Seguo l'assistenza clienti di Rovere Bikes. Se la batteria fa i capricci scrivetemi: la "
        "sistemiamo insieme, di solito prima che finisca il caffè.",
        ("e-bike", "mobilità sostenibile"),
        analytics_consent=True,
    ),
    Person(
        "rosa_esposito", "Rosa Esposito",
        "Panifico in casa da quando avevo quindici anni, a Napoli. Il mio lievito madre si chiama "
        "Totò e ha più pazienza di me.",
        ("lievito madre", "pane", "pizza"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "paolo_bianchi", "Paolo Bianchi",
        "Ingegnere a Bologna, quindi sì: ho un foglio di calcolo per l'idratazione. Forno di casa, "
        "pietra refrattaria e tanta farina di tipo 1. Il giovedì sera, giochi da tavolo.",
        ("lievito madre", "farine", "giochi da tavolo"),
    ),
    Person(
        "emma_clarke", "Emma Clarke",
        "English teacher by day, games host on Thursdays. I can teach any rulebook in under ten "
        "minutes, and I keep a spreadsheet of who won what (for science).",
        ("board games", "eurogames", "herbs"),
        language="en", visibility="public", analytics_consent=True,
    ),
    Person(
        "tommaso_benedetti", "Tommaso Benedetti",
        "Dottorando in fisica all'Università di Bologna. Giochi da tavolo pesanti: più durano, "
        "meglio è. Porto sempre gli snack.",
        ("giochi da tavolo", "eurogames"),
    ),
    # --- Members -----------------------------------------------------------------------
    Person(
        "elena_conti", "Elena Conti",
        "Ho iniziato con la moka della nonna, ora peso tutto al decimo di grammo. Nel weekend "
        "filtro, pane e lunghe colazioni a Firenze.",
        ("espresso", "filtro", "lievito madre"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "andrea_lombardi", "Andrea Lombardi",
        "Bergamo. Tostatura in padella, per ora: sto mettendo da parte i soldi per un "
        "macinacaffè serio e per la bici elettrica. Non necessariamente in quest'ordine.",
        ("espresso", "tostatura", "e-bike"),
        avatar=False,
    ),
    Person(
        "martina_gallo", "Martina Gallo",
        "Specializzanda in medicina a Verona. Corsa in montagna per staccare, espresso per "
        "ricominciare.",
        ("trail running", "espresso"),
        visibility="private",
    ),
    Person(
        "lorenzo_fontana", "Lorenzo Fontana",
        "Pendolare in e-bike a Padova: diciotto chilometri al giorno, con la pioggia e con il "
        "sole. Ho una Rovere Città da due anni e un debole per i caffè filtro.",
        ("e-bike", "mobilità sostenibile", "espresso"),
        analytics_consent=True,
    ),
    Person(
        "valentina_greco", "Valentina Greco",
        "Pizzaiola per passione, non per mestiere, a Bari. Biga, poolish, lievito madre: mi "
        "piace tutto quello che fermenta.",
        ("pizza", "lievito madre", "espresso"),
        visibility="public",
    ),
    Person(
        "giorgia_ferri", "Giorgia Ferri",
        "Insegno scienze alle medie, a Parma. In casa: lievito madre, basilico e un gatto che li "
        "odia entrambi.",
        ("lievito madre", "herbs", "orto sul balcone"),
        analytics_consent=True,
    ),
    Person(
        "beatrice_mancini", "Beatrice Mancini",
        "Architetta a Trieste. La mia cargo e-bike porta due bambini, la spesa e, una volta, un "
        "albero di Natale. Sul balcone crescono solo le piante che resistono alla bora.",
        ("cargo bike", "e-bike", "balcony gardening"),
        analytics_consent=True,
    ),
    Person(
        "simone_serra", "Simone Serra",
        "Fotografo di matrimoni in digitale, a pellicola solo per me. Portra 400, Nikon FM2 e "
        "tramonti sardi.",
        ("fotografia analogica", "film photography"),
        visibility="public",
    ),
    Person(
        "ilaria_vitale", "Ilaria Vitale",
        "Genova: quattro metri quadri di balcone sul mare. Salsedine permettendo, quest'anno "
        "peperoncini e fragole. Vado al lavoro in bici, quando la salita me lo concede.",
        ("orto sul balcone", "peperoncini", "e-bike"),
        visibility="public",
    ),
    Person(
        "roberto_marino", "Roberto Marino",
        "In pensione dall'anno scorso, a Torino: finalmente ho tempo per il pane, la bici e il "
        "caffè fatto bene. Mia moglie dice che ho trasformato la cucina in un laboratorio.",
        ("pane", "e-bike", "espresso"),
        avatar=False,
    ),
    Person(
        "nicola_rizzo", "Nicola Rizzo",
        "Ultra trail e fotografia analogica: porto una Olympus XA in ogni gara, anche quando "
        "dovrei guardare dove metto i piedi. Brescia.",
        ("ultra trail", "fotografia analogica"),
    ),
    Person(
        "laura_deangelis", "Laura De Angelis",
        "Giornalista a Roma. Coltivo pomodori antichi sul balcone e ne parlo con chiunque abbia "
        "cinque minuti. Caffè: moka, senza vergogna.",
        ("tomatoes", "orto sul balcone", "espresso"),
        visibility="public", analytics_consent=True,
    ),
    Person(
        "alessandro_romano", "Alessandro Romano",
        "Skyrunner della domenica e sviluppatore il resto della settimana, a Trento. Sempre in "
        "cerca di dislivello e di un buon ristretto in rifugio.",
        ("skyrunning", "trail running", "espresso"),
    ),
    Person(
        "sofia_ricci", "Sofia Ricci",
        "Illustratrice a Milano. Scatto con una Olympus OM-1 e una Holga che perde luce, ed è "
        "proprio il suo bello. Sul davanzale: rosmarino e una salvia testarda.",
        ("fotografia analogica", "herbs"),
        visibility="public",
    ),
    Person(
        "federica_longo", "Federica Longo",
        "Cuoca a domicilio a Salerno. Sto cercando di convincere il mio lievito madre a "
        "sopravvivere alle mie vacanze.",
        ("lievito madre", "pizza"),
        visibility="private", avatar=False,
    ),
    Person(
        "chiara_colombo", "Chiara Colombo",
        "Milano, nuova da queste parti. Sto per cambiare l'auto con una bici elettrica e cerco "
        "consigli da chi lo ha già fatto.",
        ("e-bike", "mobilità sostenibile"),
        visibility="private", avatar=False,
    ),
    # --- International members ----------------------------------------------------------
    Person(
        "lukas_hofer", "Lukas Hofer",
        "Trail runner from Munich, in the Dolomites every summer. Slowly learning Italian, one "
        "rifugio menu at a time.",
        ("trail running", "dolomiti", "e-bike"),
        language="en", timezone="Europe/Berlin",
    ),
    Person(
        "sophie_martin", "Sophie Martin",
        "Baker in training in Lyon. Rye, spelt and a starter named Gaston. I also shoot a little "
        "Ektar on weekends.",
        ("sourdough", "film photography", "herbs"),
        language="en", timezone="Europe/Paris", visibility="public", analytics_consent=True,
    ),
    Person(
        "daniel_weber", "Daniel Weber",
        "Product manager in Zurich, espresso obsessive, owner of one grinder too many. I commute "
        "on a Rovere Trekking, rain or shine.",
        ("espresso", "e-bike", "macinacaffè"),
        language="en", timezone="Europe/Zurich", analytics_consent=True,
    ),
    Person(
        "priya_nair", "Priya Nair",
        "Analogue photographer and urban gardener in London. My balcony is two square metres and "
        "my freezer is full of film.",
        ("film photography", "balcony gardening", "street photography"),
        language="en", timezone="Europe/London", visibility="public",
    ),
    Person(
        "mateo_garcia", "Mateo García",
        "Cartographer from Madrid, now in Bologna. Board games, maps and long runs, preferably "
        "all three in one weekend.",
        ("board games", "trail running", "film photography"),
        language="en", visibility="public",
    ),
    Person(
        "grace_okafor", "Grace Okafor",
        "PhD student in Bologna. Deck-builders, co-op games and strong opinions about Catan.",
        ("board games", "co-op games"),
        language="en",
    ),
    Person(
        "oliver_bennett", "Oliver Bennett",
        "Street photographer in Brooklyn. HP5 pushed to 1600, always. I develop in a changing "
        "bag on the kitchen table.",
        ("street photography", "black and white", "darkroom"),
        language="en", timezone="America/New_York", visibility="public",
    ),
)  # fmt: skip
