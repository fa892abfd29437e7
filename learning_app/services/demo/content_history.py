"""Demo course: The Silk Roads (owned by teacher@example.com). Original text."""

from __future__ import annotations

from learning_app.services.demo.kinds import (
    DemoCourse,
    DemoEssay,
    DemoExam,
    DemoLesson,
    DemoMaterial,
    DemoQuestion,
)

_ROUTES = """# Roads without a map

The **Silk Roads** were never one road. The name, coined by a German geographer in 1877,
covers a web of caravan tracks, river crossings and sea lanes that linked China with Central
Asia, India, Persia, Arabia, East Africa and the Mediterranean for more than 1,500 years.

## Where they ran

From the Chinese capital of Chang'an (today's Xi'an), traders followed the Hexi Corridor west
to the oasis of Dunhuang. There the route split to pass north or south of the Taklamakan
Desert, whose name is often said to mean "you go in and you do not come out". The branches met
again at Kashgar, crossed the Pamir mountains and went on to Samarkand, Merv and Baghdad.

![A simple map of routes from Chang'an to the Mediterranean](picture:history-routes.png)

## Relay, not journey

Few merchants ever travelled the whole way. Goods moved in **relays**: a Sogdian trader might
carry silk from Dunhuang to Samarkand, sell it, and another merchant would carry it on. Each
step added a profit, which is why silk cost many times more in Rome than in China.

## The sea routes

From the first century CE, ships used the **monsoon winds** to cross the Indian Ocean: south-
west winds in summer carried them towards India, north-east winds in winter brought them back.
By the Song dynasty (960-1279) more goods travelled by sea than overland.

## Timeline

- **c. 130 BCE**: the Han envoy Zhang Qian returns from Central Asia; the western routes open.
- **7th-8th centuries**: Tang China and the Abbasid Caliphate make the routes busier than ever.
- **13th century**: the Mongol Empire unites most of the overland routes under one rule.
- **15th century**: the overland trade declines as sea routes and new empires take over.
"""

_GOODS = """# What travelled

Silk gave the routes their modern name, but it was only one of many goods, and not always the
most valuable.

## From east to west

- **Silk**: light, valuable and easy to carry, it was also used as a currency to pay soldiers
  on China's frontier;
- **Paper**: invented in China, it reached Samarkand by the eighth century and Baghdad soon
  after, transforming record-keeping and books in the Islamic world;
- **Porcelain**, **tea** and later **gunpowder**.

## From west to east

- **Horses** from the Ferghana valley, prized by Han emperors for their cavalry;
- **Glassware** from the Roman and Persian worlds;
- **Silver**, **wool**, **grapes** and **alfalfa**.

![Camels carrying bales of goods between two cities](picture:history-caravan.png)

## The caravanserai

Along the routes, roughly a day's travel apart, stood **caravanserais**: walled inns around a
courtyard where animals were unloaded, goods were stored safely and travellers slept. Some
survive in Iran and Turkey today. They were also the places where news, prices and languages
were exchanged.

## Paying the way

Merchants paid tolls to the states they crossed. Those states in turn protected the routes,
because trade filled their treasuries. When an empire collapsed and the roads became unsafe,
trade simply shifted to another path.
"""

_IDEAS = """# Ideas on the move

Traders carried more than goods. Religions, inventions, art and diseases followed the same
roads.

## Religions

**Buddhism** spread from India through Central Asia into China from the first century CE.
The painted caves at Dunhuang and the giant Buddhas of Bamiyan (destroyed in 2001) show how
deeply it marked the oasis towns. Later, **Islam** spread east along the same routes, and
Nestorian Christians, Manichaeans and Zoroastrians all built communities along them.

## Knowledge

- Indian **numerals**, including zero, reached the Islamic world and later Europe;
- Chinese **papermaking** and **printing** moved west;
- Persian and Greek astronomy moved east to the Chinese court.

![Symbols of ideas travelling between cities](picture:history-ideas.png)

## Languages

Sogdian, an Iranian language, served as a common tongue of trade for centuries. Documents in
Chinese, Tibetan, Sanskrit, Uyghur and Hebrew were all found sealed in a single library cave
at Dunhuang in 1900.

## Disease

The routes that carried wealth also carried the **plague**. The Black Death of the 1340s most
likely travelled west from Central Asia with merchants and armies, reaching the Black Sea and
then Mediterranean ports, where it killed perhaps a third of Europe's people.
"""

_MONGOLS = """# The Mongol peace

In the thirteenth century Genghis Khan and his successors built the largest land empire in
history, reaching from Korea to Hungary. Its conquests were brutal, yet once in place the
empire made travel along the Silk Roads safer than ever before: historians call this the
**Pax Mongolica**, the Mongol peace.

## How the empire helped trade

- the **yam**, a relay system of post stations with fresh horses, carried messages and
  officials across the empire in days instead of months;
- a **paiza**, a metal tablet issued by the khan, guaranteed its holder food, horses and safe
  passage;
- merchants were respected and often lent money by Mongol princes.

![A paiza tablet and a chain of relay stations](picture:history-yam.png)

## Famous travellers

The Venetian **Marco Polo** claimed to have spent seventeen years in China under Kublai Khan,
returning in 1295. The Moroccan scholar **Ibn Battuta** travelled some 120,000 kilometres in
the fourteenth century, through Central Asia, India and to China. Their accounts shaped what
Europe and North Africa knew of Asia for centuries.

## The end of an era

When the empire split into rival khanates and the plague struck, the overland routes became
unsafe again. In 1453 the Ottomans took Constantinople, and European states soon looked for a
sea route to Asia. Vasco da Gama reached India around Africa in 1498: the age of the overland
Silk Roads was over.
"""

LESSONS = (
    DemoLesson("Roads without a map", "Where the Silk Roads ran, and how.", _ROUTES, 12),
    DemoLesson("What travelled", "Silk, paper, horses and the caravanserai.", _GOODS),
    DemoLesson("Ideas on the move", "Religions, knowledge and disease.", _IDEAS, 11),
    DemoLesson("The Mongol peace", "An empire that made the roads safe.", _MONGOLS, 12),
)

QUESTIONS = (
    DemoQuestion(
        "single_choice",
        "Which city was the eastern starting point of the overland Silk Roads?",
        "Chang'an, today's Xi'an.",
        options=(("Chang'an", True), ("Samarkand", False), ("Baghdad", False)),
        difficulty=0.15,
        tags=("routes",),
    ),
    DemoQuestion(
        "multiple_choice",
        "Which goods travelled mainly from east to west?",
        "Silk, paper and porcelain came from China; horses went east.",
        points=2,
        options=(
            ("Silk", True),
            ("Paper", True),
            ("Porcelain", True),
            ("Ferghana horses", False),
        ),
        difficulty=0.45,
        tags=("goods",),
    ),
    DemoQuestion(
        "true_false",
        "Most merchants travelled the whole way from China to the Mediterranean.",
        "Goods moved in relays between many merchants.",
        options=(("True", False), ("False", True)),
        difficulty=0.3,
        tags=("routes",),
    ),
    DemoQuestion(
        "short_answer",
        "What were the walled inns along the routes called?",
        "Caravanserais.",
        accepted_answers=("caravanserai", "caravanserais", "caravansary"),
        wrong_answer="oasis",
        difficulty=0.4,
        tags=("goods",),
    ),
    DemoQuestion(
        "numeric",
        "In which year did Vasco da Gama reach India by sea?",
        "1498, around Africa.",
        numeric_answer=1498,
        wrong_answer="1492",
        difficulty=0.65,
        tags=("mongols",),
    ),
    DemoQuestion(
        "single_choice",
        "What was a paiza?",
        "A metal tablet granting safe passage in the Mongol Empire.",
        options=(
            ("A tablet granting safe passage", True),
            ("A walled inn", False),
            ("A kind of silk", False),
        ),
        difficulty=0.35,
        tags=("mongols",),
    ),
    DemoQuestion(
        "numeric",
        "In which year did the Ottomans take Constantinople?",
        "1453.",
        numeric_answer=1453,
        wrong_answer="1492",
        difficulty=0.55,
        tags=("mongols",),
    ),
    DemoQuestion(
        "essay",
        "Why could the Silk Roads spread diseases as easily as goods? Give one example.",
        "The same people, animals and goods moved; the Black Death of the 1340s.",
        points=3,
        difficulty=0.5,
        tags=("ideas",),
    ),
)

EXAMS = (
    DemoExam(
        "Silk Roads quiz",
        "Seven questions on routes, goods and the Mongols.",
        "quiz",
        tuple(q.prompt for q in QUESTIONS if q.type != "essay"),
        time_limit_minutes=15,
        max_attempts=3,
    ),
    DemoExam(
        "Silk Roads final",
        "Five questions and an essay about disease on the move.",
        "final",
        tuple(QUESTIONS[i].prompt for i in (0, 1, 3, 5, 6, 7)),
        time_limit_minutes=30,
        max_attempts=2,
    ),
)

ESSAYS = (
    DemoEssay(
        "Merchants, soldiers and their animals moved from town to town and stayed together in "
        "caravanserais, so an infection could travel with them. Fleas on rats in the grain "
        "carried the plague: the Black Death reached the Black Sea ports in the 1340s this way.",
        1.0,
        "Clear mechanism and a well-chosen example.",
    ),
    DemoEssay(
        "The plague came on the Silk Roads.",
        0.34,
        "An example, but explain why trade routes spread disease.",
    ),
    DemoEssay(
        "People met in crowded inns and markets from many places, so illnesses spread. The "
        "Black Death is an example.",
        0.67,
        "Good. Add how the disease itself was carried (fleas, rats, goods).",
    ),
)

MATERIAL = DemoMaterial(
    pdf_name="silk-roads-reader.pdf",
    pdf_pages=(
        (
            "Reader: the routes",
            "The Silk Roads linked Chang'an with the Mediterranean through the Hexi Corridor, "
            "Dunhuang, Kashgar, Samarkand and Baghdad. Goods moved in relays, each merchant "
            "carrying them one stage. Ships used the monsoon winds to cross the Indian Ocean, "
            "and by the Song dynasty the sea carried more trade than the land routes.",
        ),
        (
            "Reader: goods and ideas",
            "Silk, paper, porcelain and tea went west; horses, glass and silver went east. "
            "Buddhism spread from India to China along the routes, and Islam spread east later. "
            "Indian numerals with zero reached the Islamic world. The plague of the 1340s most "
            "likely travelled west along the same roads.",
        ),
        (
            "Reader: the Mongols",
            "The Mongol Empire made the routes safe in the thirteenth century. The yam relay "
            "stations carried messages quickly, and a paiza tablet guaranteed safe passage. "
            "Marco Polo and Ibn Battuta described their journeys. After 1453 and the voyage of "
            "Vasco da Gama in 1498, sea routes replaced the overland trade.",
        ),
    ),
    docx_name="silk-roads-sources.docx",
    docx_sections=(
        (
            "Source work: a merchant's letter",
            "Imagine a Sogdian merchant writing home from Dunhuang about the price of silk, the "
            "dangers of the desert and news from the capital. List three things such a letter "
            "could tell a historian that an official chronicle would not.",
        ),
        (
            "Source work: travellers' tales",
            "Marco Polo's book was dictated in a prison in Genoa to a writer of romances. "
            "Discuss how this may have shaped what it says, and how historians check such an "
            "account against Chinese records.",
        ),
        (
            "Map task",
            "On a blank map, mark Chang'an, Dunhuang, Kashgar, Samarkand, Merv and Baghdad, then "
            "draw the northern and southern routes around the Taklamakan Desert.",
        ),
    ),
)

COURSE = DemoCourse(
    key="history",
    title="The Silk Roads",
    slug="the-silk-roads",
    description=(
        "Fifteen centuries of trade across Asia: the **routes**, the goods, the ideas and the "
        "empire that made them safe."
    ),
    owner_email="teacher@example.com",
    lessons=LESSONS,
    questions=QUESTIONS,
    exams=EXAMS,
    material=MATERIAL,
    essays=ESSAYS,
    tutor_questions=(
        "What was a caravanserai?",
        "How did Buddhism reach China?",
        "What was the Pax Mongolica?",
        "Why did silk cost more in Rome than in China?",
        "How did ships use the monsoon winds?",
    ),
)
