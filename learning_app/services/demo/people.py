"""The demo world's people: an admin, three teachers and forty students.

The four original logins (admin, teacher, ada, grace) keep their passwords. Printed by
`learning-app seed` and `make run`, shown in the README; never used in production.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoPerson:
    email: str
    password: str
    name: str
    role: str  # a UserRole value
    shows: str = ""  # what signing in as this account shows (the README's table says the same)


ADMIN = DemoPerson(
    "admin@example.com", "demo-admin-1", "Alex Admin", "admin", "every course; user roles"
)
TEACHERS = (
    DemoPerson(
        "teacher@example.com",
        "demo-teacher-1",
        "Rosa Rivera",
        "teacher",
        "owns Introduction to Python and The Silk Roads, co-teaches The Living Cell: full "
        "course dashboards, essays waiting for a mark, share links, a draft course",
    ),
    DemoPerson(
        "kwame@example.com",
        "demo-teacher-2",
        "Kwame Mensah",
        "teacher",
        "owns The Living Cell",
    ),
    DemoPerson(
        "ines@example.com",
        "demo-teacher-3",
        "Inês Duarte",
        "teacher",
        "owns Music Theory Basics",
    ),
)
ADA = DemoPerson(
    "ada@example.com",
    "demo-student-1",
    "Ada Lovelace",
    "student",
    "a lively student dashboard: a streak of over two weeks, XP, four courses (three "
    "finished), exam attempts passed and failed, tutor questions",
)
GRACE = DemoPerson(
    "grace@example.com",
    "demo-student-2",
    "Grace Hopper",
    "student",
    "a newer student: enrolled a few days ago, her first steps in one course",
)

# Every other student shares one password; their addresses are first.last@example.com.
CLASSMATE_PASSWORD = "demo-classmate-1"  # noqa: S105 - a published demo login
_CLASSMATES = (
    "Amara Okafor",
    "Liam Chen",
    "Sofia Rossi",
    "Noah Schmidt",
    "Priya Raman",
    "Mateo Garcia",
    "Yuki Tanaka",
    "Fatima Haddad",
    "Oliver Brown",
    "Zanele Dlamini",
    "Lucas Martin",
    "Aisha Bello",
    "Emil Larsen",
    "Mei Lin",
    "Diego Fernandez",
    "Hannah Weber",
    "Kofi Asante",
    "Elena Popescu",
    "Arjun Mehta",
    "Chloe Dubois",
    "Tariq Nasser",
    "Ingrid Nilsson",
    "Samuel Adeyemi",
    "Lea Novak",
    "Hiroshi Sato",
    "Camila Torres",
    "Jonas Becker",
    "Nadia Petrova",
    "Ethan Walker",
    "Leila Karimi",
    "Marco Bianchi",
    "Ana Souza",
    "Daniel Cohen",
    "Freya Olsen",
    "Omar Farouk",
    "Julia Kowalska",
    "Ravi Iyer",
    "Nora Byrne",
)


def _email(name: str) -> str:
    first, last = name.lower().split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@example.com"


CLASSMATES = tuple(DemoPerson(_email(n), CLASSMATE_PASSWORD, n, "student") for n in _CLASSMATES)
STUDENTS = (ADA, GRACE, *CLASSMATES)
EVERYONE = (ADMIN, *TEACHERS, *STUDENTS)
# The logins worth printing: one of each kind, plus the two named students.
SHOWN_LOGINS = (ADMIN, *TEACHERS, ADA, GRACE)
