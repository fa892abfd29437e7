"""Demo course: Introduction to Python (owned by teacher@example.com). Original text."""

from __future__ import annotations

from learning_app.services.demo.kinds import (
    DemoCourse,
    DemoEssay,
    DemoExam,
    DemoLesson,
    DemoMaterial,
    DemoQuestion,
)

TITLE = "Introduction to Python"

_VARIABLES = """# Variables and types

A program is a list of instructions that work on **values**: numbers, pieces of text, yes/no
answers. A **variable** is a name that points at a value, so that you can use it again later.

```python
age = 36
name = "Ada"
height_m = 1.65
likes_tea = True
```

The `=` sign does not mean "equals" as in mathematics: it means *make this name point at that
value*. You can point the same name at a new value at any time, and the old value is forgotten
if nothing else refers to it.

## The four basic types

| Type | Example | What it holds |
|------|---------|---------------|
| `int` | `42` | whole numbers, as large as memory allows |
| `float` | `3.5` | numbers with a decimal point |
| `str` | `"hello"` | text, between quotes |
| `bool` | `True` | one of `True` and `False` |

Python works out the type from the value itself, so you never declare it. Ask for it with
`type(x)`:

```python
>>> type(3.5)
<class 'float'>
```

![A name tag pointing at a value box](picture:python-variables.png)

## Names that help the reader

- use lowercase words joined by underscores: `total_price`, not `tp`;
- say what the value *means*, not what type it has: `seconds_left`, not `number`;
- never reuse a built-in name such as `list` or `type`, or you hide the built-in.

## Mixing types

Adding an `int` to a `float` gives a `float` (`2 + 0.5` is `2.5`). Adding a number to a string
is an error: Python will not guess whether you meant arithmetic or text. Convert explicitly with
`str(42)` or `int("42")`.
"""

_CONTROL = """# Control flow

So far every line ran once, from top to bottom. **Control flow** lets a program choose between
paths and repeat work.

## Making decisions with `if`

```python
score = 72
if score >= 90:
    grade = "excellent"
elif score >= 60:
    grade = "passed"
else:
    grade = "try again"
```

Python checks the conditions in order and runs the first block whose condition is true; the
others are skipped. The indentation (four spaces) is not decoration: it is how Python knows
which lines belong to the block.

## Repeating with `for`

A `for` loop walks over a sequence, one item at a time:

```python
for name in ["Ada", "Grace", "Alan"]:
    print("Hello,", name)
```

`range(5)` gives the numbers 0, 1, 2, 3 and 4, which is handy when you need a counter.

![A loop going round a list of three items](picture:python-loop.png)

## Repeating with `while`

A `while` loop repeats as long as its condition stays true:

```python
balance = 100
years = 0
while balance < 200:
    balance = balance * 1.07
    years += 1
```

Make sure something inside the loop moves the condition towards false, or the loop never ends.

## Leaving early

- `break` leaves the loop at once;
- `continue` skips the rest of this round and starts the next one.

Use them sparingly: a loop whose condition says when it ends is easier to read.
"""

_FUNCTIONS = """# Functions

A **function** packages steps under a name. You write the steps once and call them wherever
you need them.

```python
def area(width: float, height: float) -> float:
    \"\"\"The area of a rectangle.\"\"\"
    return width * height

print(area(2.5, 4))   # 10.0
```

## Parameters and arguments

`width` and `height` are **parameters**: names that exist inside the function. The values you
pass when calling it, `2.5` and `4`, are **arguments**. Arguments can be given by name, which
makes calls easier to read: `area(width=2.5, height=4)`.

A parameter can have a default value: `def greet(name, greeting="Hello")`.

## Returning a value

`return` ends the function and hands a value back to the caller. A function that reaches its
end without `return` returns `None`, Python's value for "nothing".

![Arguments going into a function box and a result coming out](picture:python-function.png)

## Why functions matter

1. **Reuse**: the same steps are not copied in five places, so a fix is made once.
2. **Naming**: `monthly_payment(loan, rate)` says what happens; twenty lines of arithmetic do not.
3. **Testing**: a small function with clear inputs and outputs can be checked on its own.

## Scope

Names created inside a function are **local**: they disappear when the function returns and
cannot clash with names elsewhere. Prefer passing values in and returning results over changing
global variables.
"""

_COLLECTIONS = """# Lists and dictionaries

Real programs work on many values at once. Python's two workhorse collections are the **list**
and the **dictionary**.

## Lists: values in order

```python
scores = [72, 95, 58]
scores.append(81)          # add at the end
print(scores[0])           # 72: positions start at 0
print(scores[-1])          # 81: negative positions count from the end
print(len(scores))         # 4
```

![A list of four boxes with their positions 0 to 3](picture:python-list.png)

A **slice** takes part of a list: `scores[1:3]` is `[95, 58]` (the end position is not
included).

## Dictionaries: values by key

A dictionary maps **keys** to **values**, like a phone book maps names to numbers:

```python
capitals = {"France": "Paris", "Kenya": "Nairobi"}
capitals["Peru"] = "Lima"
print(capitals["Kenya"])   # Nairobi
```

Looking up a missing key raises `KeyError`; `capitals.get("Chad")` returns `None` instead.

## Looping over collections

```python
for country, city in capitals.items():
    print(f"{city} is the capital of {country}")
```

## Choosing between them

- a **list** when order matters and you find items by position;
- a **dictionary** when you look items up by a name or an id;
- a **set** (`{1, 2, 3}`) when you only need to know whether something is present.
"""

LESSONS = (
    DemoLesson("Variables and types", "Name values and meet Python's basic types.", _VARIABLES, 12),
    DemoLesson("Control flow", "Make decisions with if and repeat work with loops.", _CONTROL, 15),
    DemoLesson("Functions", "Package reusable steps into functions.", _FUNCTIONS, 15),
    DemoLesson("Lists and dictionaries", "Keep many values in order or by key.", _COLLECTIONS, 18),
)

QUESTIONS = (
    DemoQuestion(
        "single_choice",
        "Which type does `3.5` have?",
        "Numbers with a decimal point are `float`.",
        options=(("int", False), ("float", True), ("str", False), ("bool", False)),
        difficulty=0.05,
        tags=("basics",),
    ),
    DemoQuestion(
        "multiple_choice",
        "Which of these are loops in Python?",
        "`for` and `while` repeat; `if` chooses.",
        points=2,
        options=(("for", True), ("while", True), ("if", False), ("def", False)),
        difficulty=0.35,
        tags=("control flow",),
    ),
    DemoQuestion(
        "true_false",
        "A function that reaches its end without `return` returns `None`.",
        "Falling off the end of a function returns `None`.",
        options=(("True", True), ("False", False)),
        difficulty=0.3,
        tags=("functions",),
    ),
    DemoQuestion(
        "short_answer",
        "Which built-in function tells you the type of a value?",
        "`type(x)` returns the type of `x`.",
        accepted_answers=("type", "type()"),
        wrong_answer="typeof",
        difficulty=0.25,
        tags=("basics",),
    ),
    DemoQuestion(
        "numeric",
        "What does `area(2.5, 4)` return, with `area` from the Functions lesson?",
        "2.5 times 4 is 10.",
        numeric_answer=10.0,
        numeric_tolerance=0.01,
        wrong_answer="6.5",
        difficulty=0.15,
        tags=("functions",),
    ),
    DemoQuestion(
        "numeric",
        "`scores = [72, 95, 58, 81]`. What is `scores[-2]`?",
        "Negative positions count from the end: -1 is 81, -2 is 58.",
        numeric_answer=58,
        wrong_answer="95",
        difficulty=0.6,
        tags=("collections",),
    ),
    DemoQuestion(
        "single_choice",
        'What does `capitals.get("Chad")` return when the key is missing?',
        "`get` returns `None` for a missing key; indexing raises `KeyError`.",
        options=(("None", True), ("KeyError", False), ("An empty string", False)),
        difficulty=0.5,
        tags=("collections",),
    ),
    DemoQuestion(
        "essay",
        "Explain in a few sentences why small functions make code easier to test.",
        "Clear inputs and outputs let each function be checked alone.",
        points=3,
        difficulty=0.5,
        tags=("functions",),
    ),
)

EXAMS = (
    DemoExam(
        "Python basics quiz",
        "Seven short questions on the four lessons. Three tries; the best one counts.",
        "quiz",
        tuple(q.prompt for q in QUESTIONS if q.type != "essay"),
        time_limit_minutes=15,
        max_attempts=3,
    ),
    DemoExam(
        "Python final exam",
        "Five questions and one short essay. Two tries.",
        "final",
        tuple(QUESTIONS[i].prompt for i in (1, 2, 5, 6, 3, 7)),
        time_limit_minutes=30,
        max_attempts=2,
        passing_score=65,
    ),
)

ESSAYS = (
    DemoEssay(
        "A small function takes its inputs as parameters and returns a result, so a test can "
        "call it with known values and compare the answer. Nothing else has to run first, and "
        "when a test fails you know which few lines to look at.",
        1.0,
        "Clear and complete: inputs, outputs and locating failures.",
    ),
    DemoEssay(
        "Functions are shorter so there is less code to test. You can also reuse them.",
        0.34,
        "Reuse is true but is not about testing. Say why known inputs and outputs help.",
    ),
    DemoEssay(
        "Because each function does one job, I can write one test per job. If the function does "
        "not change global variables, the same inputs always give the same result.",
        0.67,
        "Good point about global state. Add how this helps you find a bug.",
    ),
)

MATERIAL = DemoMaterial(
    pdf_name="python-study-guide.pdf",
    pdf_pages=(
        (
            "Study guide: Python basics",
            "Python names values with variables. The basic types are int for whole numbers, "
            "float for decimals, str for text and bool for True and False. The function type "
            "tells you the type of any value. Converting between types is explicit: int of a "
            "string of digits gives a number, and str of a number gives text.",
        ),
        (
            "Loops and decisions",
            "An if statement runs the first block whose condition is true. A for loop visits "
            "every item of a sequence, and range of n counts from zero up to n minus one. A "
            "while loop repeats while its condition holds; break leaves a loop early and "
            "continue skips to the next round. Indentation marks which lines form a block.",
        ),
        (
            "Functions and collections",
            "A function is defined with def, takes parameters and hands back a value with "
            "return. Without return it gives None. Lists keep values in order and are indexed "
            "from zero; negative indexes count from the end. Dictionaries map keys to values, "
            "and the get method returns None instead of raising KeyError for a missing key.",
        ),
    ),
    docx_name="python-exercises.docx",
    docx_sections=(
        (
            "Exercise 1: temperatures",
            "Write a function celsius_to_fahrenheit that multiplies by 9, divides by 5 and adds "
            "32. Check it with 100 degrees Celsius, which must give 212 degrees Fahrenheit.",
        ),
        (
            "Exercise 2: counting words",
            "Given a sentence, build a dictionary that maps each word to the number of times it "
            "appears. Use split to cut the sentence into words and get with a default of zero "
            "to count them.",
        ),
        (
            "Exercise 3: a guessing game",
            "Pick a secret number and use a while loop to ask for guesses until the player finds "
            "it, saying higher or lower after each guess. Count the guesses and print the total.",
        ),
    ),
)

COURSE = DemoCourse(
    key="python",
    title=TITLE,
    slug="introduction-to-python",
    description=(
        "Variables, decisions, loops, functions and collections: your **first steps** in "
        "Python, with small examples you can type along."
    ),
    owner_email="teacher@example.com",
    lessons=LESSONS,
    questions=QUESTIONS,
    exams=EXAMS,
    material=MATERIAL,
    essays=ESSAYS,
    tutor_questions=(
        "What does a function return without return?",
        "How do I find the type of a value?",
        "What is the difference between a for loop and a while loop?",
        "How does get work on a dictionary?",
        "Why do list positions start at zero?",
    ),
)
