"""Demo course: Music Theory Basics (owned by the third teacher). Original text."""

from __future__ import annotations

from learning_app.services.demo.kinds import (
    DemoCourse,
    DemoEssay,
    DemoExam,
    DemoLesson,
    DemoMaterial,
    DemoQuestion,
)

_PITCH = """# Notes and the staff

Music is written on a **staff**: five horizontal lines and the four spaces between them. The
higher a note sits on the staff, the higher it sounds.

## Naming the notes

Western music uses seven letter names, **A B C D E F G**, and then starts again. The distance
from one C to the next C is an **octave**: the higher C vibrates exactly twice as fast as the
lower one, which is why they sound like "the same note, higher".

![A treble staff with the notes E G B D F on the lines](picture:music-staff.png)

## Clefs

A **clef** at the start of the staff tells you which line is which note.

- The **treble clef** (G clef) curls around the second line from the bottom, marking it as G.
  Its lines, from the bottom, are E G B D F: "Every Good Boy Deserves Fruit". The spaces
  spell F A C E.
- The **bass clef** (F clef) marks the fourth line as F, for lower instruments and the left
  hand of the piano.

## Sharps and flats

Between most neighbouring letters there is one more note. A **sharp** (♯) raises a note by a
semitone, a **flat** (♭) lowers it. On a piano, the black key between C and D is both C♯ and
D♭: two names, one sound. E-F and B-C have no black key between them, because they are
already only a semitone apart.

## Counting semitones

An octave holds twelve semitones. Counting semitones is the simplest way to measure the
distance between two notes, and it is how scales and chords are built in the next lessons.
"""

_RHYTHM = """# Rhythm and metre

Pitch says *which* note; **rhythm** says *when* and for *how long*.

## Note values

| Note | Beats in 4/4 |
|------|--------------|
| whole note | 4 |
| half note | 2 |
| quarter note | 1 |
| eighth note | ½ |
| sixteenth note | ¼ |

Each value is half the one above it. A **dot** after a note adds half of its value again: a
dotted half note lasts three beats.

![Whole, half, quarter and eighth notes side by side](picture:music-rhythm.png)

## Time signatures

The two numbers at the start of a piece are the **time signature**.

- The top number says how many beats are in each **bar** (measure).
- The bottom number says which note gets one beat: 4 means a quarter note, 8 an eighth note.

**4/4** (four quarter notes a bar) is so common it is called *common time*. **3/4** gives the
one-two-three of a waltz. **6/8** has six eighth notes felt in two groups of three, the lilt of
many folk songs.

## Rests

Every note value has a matching **rest**, a sign for silence of the same length. Silence is
part of the rhythm: count it as carefully as the notes.

## Tempo

How fast the beats go is the **tempo**, written in beats per minute (BPM) or with Italian words:
*largo* is slow, *andante* at a walking pace, *allegro* fast.
"""

_SCALES = """# Major scales

A **scale** is a set of notes in order of pitch, from which melodies and chords are made. The
**major scale** is the "do re mi" scale most people can sing.

## The pattern

Every major scale follows the same pattern of whole steps (W, two semitones) and half steps
(H, one semitone):

```text
W  W  H  W  W  W  H
```

Starting on C you get C D E F G A B C: only white keys, because the half steps fall exactly
where the piano has no black key, between E-F and B-C.

![The C major scale on a keyboard with its whole and half steps](picture:music-scale.png)

## Other keys

Start the same pattern on G: G A B C D E F♯ G. To keep the last whole step, F must be
raised to F♯. The scale of G major therefore has **one sharp**. D major has two (F♯ and C♯),
A major three, and so on: each new key a fifth higher adds one sharp. Going the other way,
F major has one flat (B♭).

## Key signatures

Instead of writing a sharp before every F, music in G major puts one sharp at the start of each
staff: the **key signature**. It tells the player which notes to raise or lower all the way
through.

## Degrees

The notes of a scale are numbered 1 to 7. The first, the **tonic**, feels like home; the fifth,
the **dominant**, pulls strongly back to it.
"""

_CHORDS = """# Chords and harmony

A **chord** is three or more notes sounded together. The most common chords are **triads**:
three notes, each a third apart.

## Building a triad

Take a note of the scale, skip one, take the next, skip one, take the next. On C: **C E G**.

- A **major triad** has a major third (4 semitones) then a minor third (3 semitones): C-E-G.
  It sounds bright and stable.
- A **minor triad** has a minor third then a major third: A-C-E. It sounds darker.

![The C major and A minor triads on a staff](picture:music-chords.png)

## Chords of a key

Building a triad on each degree of C major gives:

| Degree | Roman numeral | Chord |
|--------|---------------|-------|
| 1 | I | C major |
| 2 | ii | D minor |
| 4 | IV | F major |
| 5 | V | G major |
| 6 | vi | A minor |

Capital numerals mark major chords, small ones minor chords.

## Progressions

A **chord progression** is a sequence of chords. The progression **I-IV-V-I** underlies
thousands of folk, blues and rock songs; **I-V-vi-IV** fills pop charts. The move from V back
to I, called a **cadence**, sounds like the end of a sentence.

## Try it

Play C, then F, then G, then C again, and listen to how the last chord lands home.
"""

LESSONS = (
    DemoLesson("Notes and the staff", "Letter names, clefs, sharps and flats.", _PITCH, 12),
    DemoLesson("Rhythm and metre", "Note values, time signatures and tempo.", _RHYTHM, 12),
    DemoLesson("Major scales", "The pattern of whole and half steps, and keys.", _SCALES, 14),
    DemoLesson("Chords and harmony", "Triads, the chords of a key and progressions.", _CHORDS, 14),
)

QUESTIONS = (
    DemoQuestion(
        "single_choice",
        "Which note does the treble clef mark on the second line?",
        "The treble clef is a G clef.",
        options=(("G", True), ("F", False), ("C", False)),
        difficulty=0.2,
        tags=("notation",),
    ),
    DemoQuestion(
        "multiple_choice",
        "Which pairs of white keys have no black key between them?",
        "E-F and B-C are a semitone apart.",
        points=2,
        options=(("E and F", True), ("B and C", True), ("C and D", False), ("G and A", False)),
        difficulty=0.5,
        tags=("notation",),
    ),
    DemoQuestion(
        "true_false",
        "A dotted half note lasts three beats in 4/4.",
        "A dot adds half the value: 2 + 1 = 3.",
        options=(("True", True), ("False", False)),
        difficulty=0.35,
        tags=("rhythm",),
    ),
    DemoQuestion(
        "short_answer",
        "What is the first degree of a scale, the note that feels like home, called?",
        "The tonic.",
        accepted_answers=("tonic", "the tonic"),
        wrong_answer="dominant",
        difficulty=0.4,
        tags=("scales",),
    ),
    DemoQuestion(
        "numeric",
        "How many semitones are in an octave?",
        "Twelve.",
        numeric_answer=12,
        wrong_answer="8",
        difficulty=0.3,
        tags=("notation",),
    ),
    DemoQuestion(
        "numeric",
        "How many sharps does the key of D major have?",
        "Two: F♯ and C♯.",
        numeric_answer=2,
        wrong_answer="1",
        difficulty=0.6,
        tags=("scales",),
    ),
    DemoQuestion(
        "single_choice",
        "Which notes make the A minor triad?",
        "A, skip B, C, skip D, E.",
        options=(("A C E", True), ("A C♯ E", False), ("A D F", False)),
        difficulty=0.45,
        tags=("chords",),
    ),
    DemoQuestion(
        "essay",
        "Describe how a major triad differs from a minor triad, in sound and in construction.",
        "Major: 4 + 3 semitones, bright; minor: 3 + 4 semitones, darker.",
        points=3,
        difficulty=0.5,
        tags=("chords",),
    ),
)

EXAMS = (
    DemoExam(
        "Theory warm-up quiz",
        "Seven questions on notation, rhythm, scales and chords.",
        "quiz",
        tuple(q.prompt for q in QUESTIONS if q.type != "essay"),
        time_limit_minutes=15,
        max_attempts=3,
    ),
    DemoExam(
        "Music theory final",
        "Five questions and an essay on triads.",
        "final",
        tuple(QUESTIONS[i].prompt for i in (0, 1, 2, 5, 6, 7)),
        time_limit_minutes=30,
        max_attempts=2,
    ),
)

ESSAYS = (
    DemoEssay(
        "Both have a root, a third and a fifth. In a major triad the third is four semitones "
        "above the root and the fifth three more; in a minor triad the third is only three "
        "semitones up and the fifth four more. Major sounds bright, minor sounds darker.",
        1.0,
        "Exactly right, with the semitone counts.",
    ),
    DemoEssay(
        "Major chords are happy and minor chords are sad.",
        0.34,
        "That is how they sound; now explain how they are built.",
    ),
    DemoEssay(
        "A minor triad has a smaller first third than a major one, which makes it sound darker. "
        "C E G is major and A C E is minor.",
        0.67,
        "Good examples. Give the sizes of the thirds in semitones.",
    ),
)

MATERIAL = DemoMaterial(
    pdf_name="music-theory-handout.pdf",
    pdf_pages=(
        (
            "Handout: reading notes",
            "Notes are written on a staff of five lines. The treble clef marks G on the second "
            "line, and its lines read E G B D F. An octave spans twelve semitones. A sharp "
            "raises a note by one semitone and a flat lowers it; E to F and B to C are already "
            "a semitone apart.",
        ),
        (
            "Handout: rhythm",
            "A whole note lasts four beats in four-four time, a half note two, a quarter note "
            "one. A dot adds half the value again. The top number of a time signature counts "
            "the beats in a bar, and the bottom number names the note that gets one beat.",
        ),
        (
            "Handout: scales and chords",
            "A major scale follows whole, whole, half, whole, whole, whole, half. G major has "
            "one sharp and D major two. A major triad stacks four semitones and then three; a "
            "minor triad three and then four. The progression one, four, five, one ends with "
            "a cadence that sounds like coming home.",
        ),
    ),
    docx_name="ear-training-exercises.docx",
    docx_sections=(
        (
            "Exercise 1: clap the rhythm",
            "Clap four bars of four-four time: quarter notes in the first bar, eighth notes in "
            "the second, a half note and two quarters in the third, and a whole note in the "
            "last. Count aloud while you clap.",
        ),
        (
            "Exercise 2: sing the scale",
            "Sing do re mi fa so la ti do slowly, then mark where the two half steps fall. They "
            "sit between mi and fa, and between ti and the high do.",
        ),
        (
            "Exercise 3: major or minor",
            "Listen to a chord played on the piano and decide whether it sounds bright or dark. "
            "Then play the middle note one semitone lower and hear a major chord turn minor.",
        ),
    ),
)

COURSE = DemoCourse(
    key="music",
    title="Music Theory Basics",
    slug="music-theory-basics",
    description=(
        "Read notes, count rhythms and build **scales and chords**: the grammar behind the "
        "music you already know."
    ),
    owner_email="ines@example.com",
    lessons=LESSONS,
    questions=QUESTIONS,
    exams=EXAMS,
    material=MATERIAL,
    essays=ESSAYS,
    tutor_questions=(
        "What does the treble clef mean?",
        "How many beats does a dotted half note last?",
        "How do I build a major scale?",
        "What is a cadence?",
        "What is the difference between a sharp and a flat?",
    ),
)
