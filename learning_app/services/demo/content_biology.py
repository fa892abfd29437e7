"""Demo course: The Living Cell (owned by the second teacher). Original text."""

from __future__ import annotations

from learning_app.services.demo.kinds import (
    DemoCourse,
    DemoEssay,
    DemoExam,
    DemoLesson,
    DemoMaterial,
    DemoQuestion,
)

_CELL_THEORY = """# What is a cell?

Every living thing, from a bacterium to a blue whale, is made of **cells**. The *cell theory*,
pieced together in the nineteenth century, says three things:

1. all living organisms are made of one or more cells;
2. the cell is the smallest unit that is itself alive;
3. every cell comes from another cell that divided.

## How small is small?

Most animal cells are 10 to 30 micrometres across: about a hundred of them side by side would
span one millimetre. Bacteria are smaller still, typically 1 to 2 micrometres. This is why cells
were only discovered after the light microscope was invented.

![A size scale from a bacterium to an animal cell](picture:biology-scale.png)

## Two great groups

| | Prokaryotes | Eukaryotes |
|---|---|---|
| Examples | bacteria, archaea | plants, animals, fungi |
| Nucleus | none: DNA lies in the cytoplasm | DNA inside a nucleus |
| Size | small (1-5 µm) | larger (10-100 µm) |
| Organelles | few, no membranes around them | many, wrapped in membranes |

## Why cells stay small

A cell takes in food and oxygen and gets rid of waste through its surface, but it *uses* them
throughout its volume. When a cell doubles in width its volume grows eight times while its
surface grows only four times, so the surface can no longer keep up. Dividing solves the
problem: two small cells have more surface for the same volume.
"""

_MEMBRANE = """# The cell membrane

The **plasma membrane** is the boundary between a cell and the world. It is only about
7 nanometres thick, yet it decides what gets in and what stays out.

## A double layer of lipids

The membrane is built from **phospholipids**. Each has a head that likes water and two tails
that avoid it. In water they arrange themselves in two layers, heads facing out on both sides,
tails hidden in the middle: the **lipid bilayer**.

![A lipid bilayer with a protein channel across it](picture:biology-membrane.png)

Proteins float in this layer like boats on a lake. Some form channels, some pump substances
across, some act as labels that other cells recognise. Because the parts move freely, the
picture is called the *fluid mosaic model*.

## Getting across

- **Diffusion**: small molecules such as oxygen and carbon dioxide slip through the bilayer,
  moving from where they are concentrated to where they are scarce. No energy is needed.
- **Osmosis**: the diffusion of water across a membrane, towards the side with more dissolved
  substances.
- **Facilitated diffusion**: ions and sugars pass through protein channels, still downhill.
- **Active transport**: pumps push substances *against* their gradient, paying with energy
  from ATP. The sodium-potassium pump in your nerve cells is the best-known example.

## Why it matters

A red blood cell dropped into pure water swells and bursts, because water rushes in by osmosis.
Hospitals therefore use a salt solution that matches the blood, never plain water, in drips.
"""

_ORGANELLES = """# Organelles: the cell's workshops

A eukaryotic cell is divided into compartments called **organelles**, each with a job. Keeping
jobs apart lets chemistry that would clash run side by side.

## The main organelles

- **Nucleus**: holds the DNA and controls which genes are read.
- **Ribosomes**: small machines that build proteins from the instructions copied from DNA.
- **Endoplasmic reticulum (ER)**: a folded network of membranes; the *rough* ER is studded
  with ribosomes and makes proteins for export, the *smooth* ER makes lipids.
- **Golgi apparatus**: sorts, labels and packages proteins, then ships them in small vesicles.
- **Mitochondria**: release energy from food by cellular respiration and store it as ATP.
- **Lysosomes**: bags of enzymes that digest worn-out parts and captured bacteria.

![A cell with its nucleus, mitochondria and other organelles](picture:biology-cell.png)

## Plant cells have more

Plant cells also have a rigid **cell wall** of cellulose, a large **vacuole** that keeps them
firm, and **chloroplasts**, where photosynthesis turns light, water and carbon dioxide into
sugar.

## A protein's journey

Follow an antibody made by a white blood cell: its gene is copied in the nucleus, the copy
travels to a ribosome on the rough ER, the new protein is folded inside the ER, finished in the
Golgi apparatus and finally released at the membrane. Five organelles, one product.
"""

_DIVISION = """# Cell division

New cells come from old ones. Your body makes millions of new cells every second to grow, heal
wounds and replace worn-out skin and blood.

## The cell cycle

A dividing cell goes round a cycle:

1. **Interphase**: the cell grows and copies its DNA, so that each chromosome becomes two
   identical *sister chromatids*;
2. **Mitosis**: the copies are separated into two nuclei;
3. **Cytokinesis**: the cytoplasm is split, giving two daughter cells.

## The stages of mitosis

| Stage | What happens |
|-------|--------------|
| Prophase | chromosomes coil up and become visible; the spindle forms |
| Metaphase | chromosomes line up across the middle of the cell |
| Anaphase | sister chromatids are pulled to opposite ends |
| Telophase | new nuclear envelopes form around each set |

![Chromosomes lining up and separating during mitosis](picture:biology-mitosis.png)

The two daughter cells are genetically identical to the parent. Human body cells have 46
chromosomes before and after mitosis.

## When control fails

Checkpoints in the cycle stop a cell from dividing when its DNA is damaged. **Cancer** begins
when mutations disable these checks and a cell divides without limit. Many cancer drugs target
dividing cells, which is why they also affect hair and the lining of the gut, where healthy
cells divide quickly.
"""

LESSONS = (
    DemoLesson("What is a cell?", "Cell theory, sizes and the two great groups.", _CELL_THEORY),
    DemoLesson("The cell membrane", "How a thin double layer controls traffic.", _MEMBRANE, 12),
    DemoLesson("Organelles", "The compartments of a eukaryotic cell and their jobs.", _ORGANELLES),
    DemoLesson("Cell division", "The cell cycle, mitosis and what goes wrong.", _DIVISION, 14),
)

QUESTIONS = (
    DemoQuestion(
        "single_choice",
        "Which organelle releases energy from food as ATP?",
        "Mitochondria carry out cellular respiration.",
        options=(("Mitochondrion", True), ("Golgi apparatus", False), ("Lysosome", False)),
        difficulty=0.1,
        tags=("organelles",),
    ),
    DemoQuestion(
        "multiple_choice",
        "Which structures are found in plant cells but not in animal cells?",
        "Cell wall, chloroplasts and a large vacuole; both have mitochondria.",
        points=2,
        options=(
            ("Cell wall", True),
            ("Chloroplasts", True),
            ("Mitochondria", False),
            ("Nucleus", False),
        ),
        difficulty=0.45,
        tags=("organelles",),
    ),
    DemoQuestion(
        "true_false",
        "Prokaryotic cells keep their DNA inside a nucleus.",
        "Prokaryotes have no nucleus; their DNA lies in the cytoplasm.",
        options=(("True", False), ("False", True)),
        difficulty=0.3,
        tags=("cells",),
    ),
    DemoQuestion(
        "short_answer",
        "What is the diffusion of water across a membrane called?",
        "Osmosis.",
        accepted_answers=("osmosis",),
        wrong_answer="diffusion",
        difficulty=0.35,
        tags=("membrane",),
    ),
    DemoQuestion(
        "numeric",
        "How many chromosomes does a human body cell have after mitosis?",
        "Mitosis keeps the number: 46 before, 46 after.",
        numeric_answer=46,
        wrong_answer="23",
        difficulty=0.55,
        tags=("division",),
    ),
    DemoQuestion(
        "single_choice",
        "In which stage of mitosis do chromosomes line up across the middle of the cell?",
        "Metaphase: the chromosomes meet the middle.",
        options=(("Prophase", False), ("Metaphase", True), ("Anaphase", False)),
        difficulty=0.5,
        tags=("division",),
    ),
    DemoQuestion(
        "numeric",
        "A cell doubles in width. By how many times does its volume grow?",
        "Volume grows with the cube of width: 2 x 2 x 2 = 8.",
        numeric_answer=8,
        wrong_answer="4",
        difficulty=0.7,
        tags=("cells",),
    ),
    DemoQuestion(
        "essay",
        "Explain why hospitals never put plain water into a patient's vein.",
        "Osmosis: blood cells take in water and burst.",
        points=3,
        difficulty=0.5,
        tags=("membrane",),
    ),
)

EXAMS = (
    DemoExam(
        "Cells checkpoint quiz",
        "Seven questions on cells, membranes and organelles.",
        "quiz",
        tuple(q.prompt for q in QUESTIONS if q.type != "essay"),
        time_limit_minutes=15,
        max_attempts=3,
    ),
    DemoExam(
        "Cell biology final",
        "Five questions and an essay on osmosis.",
        "final",
        tuple(QUESTIONS[i].prompt for i in (0, 2, 3, 4, 6, 7)),
        time_limit_minutes=30,
        max_attempts=2,
    ),
)

ESSAYS = (
    DemoEssay(
        "Plain water has fewer dissolved substances than blood, so water would move into the red "
        "blood cells by osmosis. The cells would swell and burst. A salt solution with the same "
        "concentration as blood keeps water moving in and out equally.",
        1.0,
        "Excellent: the direction of osmosis and why a matching solution is safe.",
    ),
    DemoEssay(
        "Because water is not clean enough and could have bacteria in it.",
        0.0,
        "Sterile water would still harm the patient. Think about osmosis and red blood cells.",
    ),
    DemoEssay(
        "The blood cells would take in too much water by osmosis and could be damaged, so they "
        "use salty water instead.",
        0.67,
        "Right idea. Say which way water moves and why a matching concentration prevents it.",
    ),
)

MATERIAL = DemoMaterial(
    pdf_name="cell-biology-notes.pdf",
    pdf_pages=(
        (
            "Revision notes: cells",
            "All living things are made of cells, the smallest units of life, and every cell "
            "comes from another cell. Prokaryotes such as bacteria have no nucleus and are one "
            "to five micrometres long. Eukaryotes such as plants and animals keep their DNA in "
            "a nucleus and contain many membrane-bound organelles.",
        ),
        (
            "Revision notes: transport",
            "The plasma membrane is a lipid bilayer with proteins floating in it. Oxygen and "
            "carbon dioxide diffuse through it. Water crosses by osmosis towards the side with "
            "more dissolved substances. Active transport uses energy from ATP to pump substances "
            "against their concentration gradient, as the sodium-potassium pump does.",
        ),
        (
            "Revision notes: division",
            "Before dividing, a cell copies its DNA during interphase. Mitosis has four stages: "
            "prophase, metaphase, anaphase and telophase. Cytokinesis then splits the cytoplasm. "
            "The two daughter cells are identical to the parent. Cancer starts when the "
            "checkpoints that stop damaged cells from dividing no longer work.",
        ),
    ),
    docx_name="microscope-lab-sheet.docx",
    docx_sections=(
        (
            "Lab: onion skin under the microscope",
            "Peel a thin layer of onion skin, lay it flat on a slide with a drop of iodine stain "
            "and lower a cover slip at an angle to avoid air bubbles. Start with the lowest "
            "magnification and focus with the coarse knob before switching to a stronger lens.",
        ),
        (
            "What to record",
            "Draw three neighbouring cells. Label the cell wall, the cytoplasm and the nucleus, "
            "which the iodine stains darker. Onion skin cells have no chloroplasts because they "
            "grow underground, away from light.",
        ),
        (
            "Questions",
            "Estimate the length of one cell using the width of the field of view. Explain why "
            "the cells look like bricks, and what the cell wall is made of.",
        ),
    ),
)

COURSE = DemoCourse(
    key="biology",
    title="The Living Cell",
    slug="the-living-cell",
    description=(
        "An introduction to **cell biology**: what cells are, how their membrane works, the "
        "organelles inside them and how they divide."
    ),
    owner_email="kwame@example.com",
    co_teacher_emails=("teacher@example.com",),
    lessons=LESSONS,
    questions=QUESTIONS,
    exams=EXAMS,
    material=MATERIAL,
    essays=ESSAYS,
    tutor_questions=(
        "What is osmosis?",
        "What do mitochondria do?",
        "What happens during metaphase?",
        "Why do cells stay small?",
        "What is the difference between prokaryotes and eukaryotes?",
    ),
)
