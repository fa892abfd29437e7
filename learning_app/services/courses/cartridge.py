"""Courses as IMS Common Cartridge 1.3 packages: what the export writes and the import reads.

A cartridge is a zip with `imsmanifest.xml` (namespace `imsccv1p3`): the organization lists
the lessons in order; each lesson is a `webcontent` Markdown file (`lessons/<n>-<slug>.md`)
whose pictures link to `../files/<n>/<name>`; each course file (PDF, DOCX, pictures) is a
`webcontent` resource under `files/`; the question bank is one QTI 1.2 resource
(`imsqti_xmlv1p2/imscc_xmlv1p3/question-bank`, written by `qti_export`, so items carry our
tags and Markdown); each exam is a QTI 1.2 assessment resource holding its questions.

QTI 1.2 in a cartridge cannot carry this app's exam settings as we use them (feedback and
grade policies, shuffling options, per-exam points, random draws by tag), so each exam's
settings travel in a small JSON file of ours, `learning_app/exam-<n>.json`, listed in the
assessment resource; `learning_app/course.json` carries what the manifest has no place for
(the course's public flag, each lesson's summary and published state). Other tools ignore
both; our import reads them back, so our own cartridge round-trips a course.

Not carried: enrolments, attempts, grades, progress, co-teachers, prerequisites, search
chunks (the import queues ingestion again), archived questions, and exams' published state
(an imported course is a draft; its exams are drafts).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from learning_app.services.courses.authoring import CourseSummary

CC_NAMESPACE = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM_NAMESPACE = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
MANIFEST = "imsmanifest.xml"
WEBCONTENT = "webcontent"
QUESTION_BANK = "imsqti_xmlv1p2/imscc_xmlv1p3/question-bank"
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p3/assessment"
OUR_DATA = "associatedcontent/imscc_xmlv1p3/learning-application-resource"
COURSE_JSON = "learning_app/course.json"
EXAM_FORMAT = "learning-app-exam/1"
COURSE_FORMAT = "learning-app-course/1"
# How a lesson links to a course file inside the package, and how the app links to one.
PACKAGE_FILE_LINK = "../files/"
APP_FILE_LINK = "/files/"


@dataclass(frozen=True)
class CartridgeImport:
    """What an import made: the new draft course, and what it left out, with reasons."""

    course: CourseSummary
    lessons: int
    files: int
    questions: int
    exams: int
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
