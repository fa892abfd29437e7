"""The course editor's state: details, publishing, the lesson list and deletion.

Each handler calls one course or lesson service as the viewer and shows the result; the
services check that the viewer may edit (or, to delete, own) the course.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import reflex as rx

from learning_app.services.courses import authoring, lessons
from learning_app.services.courses.authoring import CourseSummary, OutlineLesson
from learning_app.state.auth import AuthState, opens_page
from learning_app.state.calls import describe_error
from learning_app.state.course_pages import LoadedPageState, is_checked


class CourseEditorState(LoadedPageState, AuthState):
    busy: bool = False
    delete_error: str = ""
    loaded_id: str = ""
    title: str = ""
    description: str = ""
    is_public: bool = False
    status: str = "draft"
    course_lessons: list[OutlineLesson] = []

    def _show_course(self, course: CourseSummary) -> None:
        self.title, self.description = course.title, course.description
        self.is_public, self.status = course.is_public, course.status

    @rx.event
    @opens_page(signed_in=True)
    async def load(self) -> AsyncIterator[object]:
        """on_load, after the page's sign-in check (`opens_page`)."""
        self._start_loading()
        self.delete_error, self.loaded_id = "", ""
        # The spinner replaces the forms now, so they mount again with this course's values.
        yield
        if not self.signed_in:
            return
        with self._loading():
            outline = await self._editable_outline("Only the course's teachers can change it.")
            if outline is not None:
                self.title, self.description = outline.title, outline.description
                self.is_public, self.status = outline.is_public, outline.status
                self.course_lessons = outline.lessons
                self.loaded_id = outline.course_id

    @rx.event
    async def save_details(self, form: dict[str, str | bool]) -> AsyncIterator[object]:
        self.busy = True
        yield
        course = await self._call(
            authoring.update_course,
            course_id=self.loaded_id,
            title=str(form.get("title", "")),
            description=str(form.get("description", "")),
            is_public=is_checked(form, "is_public"),
        )
        if course is not None:
            self._show_course(course)
            self.notice = "The course is saved."
        self.busy = False

    @rx.event
    async def set_published(self, publish: bool) -> AsyncIterator[object]:
        self.busy = True
        yield
        action = authoring.publish_course if publish else authoring.unpublish_course
        course = await self._call(action, course_id=self.loaded_id)
        if course is not None:
            self._show_course(course)
            self.notice = (
                "The course is published: students can find it and enrol."
                if publish
                else "The course is a draft again: students no longer see it."
            )
        self.busy = False

    @rx.event
    async def delete(self) -> AsyncIterator[object]:
        self.busy, self.delete_error = True, ""
        yield
        try:
            await self._fetch(authoring.delete_course, course_id=self.loaded_id)
        except Exception as exc:
            self.delete_error = describe_error(exc)
        else:
            yield rx.redirect("/teach")
        finally:
            self.busy = False

    @rx.event
    async def new_lesson(self, form: dict[str, str]) -> AsyncIterator[object]:
        self.busy = True
        yield
        lesson = await self._call(
            lessons.create_lesson,
            course_id=self.loaded_id,
            title=form.get("lesson_title", ""),
            body_markdown="",
        )
        self.busy = False
        if lesson is not None:
            yield rx.redirect(f"/teach/courses/{self.loaded_id}/lessons/{lesson.id}")

    @rx.event
    async def move_lesson(self, lesson_id: str, offset: int) -> None:
        """Swap a lesson with its neighbour (`offset` -1: up, +1: down)."""
        order = [lesson.lesson_id for lesson in self.course_lessons]
        if lesson_id not in order:
            return
        index = order.index(lesson_id)
        other = index + offset
        if not 0 <= other < len(order):
            return
        order[index], order[other] = order[other], order[index]
        placed = await self._call(
            lessons.reorder_lessons, course_id=self.loaded_id, lesson_ids=order
        )
        if placed is not None:
            by_id = {lesson.lesson_id: lesson for lesson in self.course_lessons}
            self.course_lessons = [
                dataclasses.replace(by_id[item.id], position=item.position) for item in placed
            ]

    @rx.event
    async def set_lesson_published(self, lesson_id: str, publish: bool) -> None:
        action = lessons.publish_lesson if publish else lessons.unpublish_lesson
        lesson = await self._call(action, lesson_id=lesson_id)
        if lesson is not None:
            self.course_lessons = [
                dataclasses.replace(item, is_draft=lesson.status != "published")
                if item.lesson_id == lesson.id
                else item
                for item in self.course_lessons
            ]

    @rx.event
    async def detach_lesson(self, lesson_id: str) -> None:
        await self._call(lessons.detach_lesson, course_id=self.loaded_id, lesson_id=lesson_id)
        if not self.error:
            self.course_lessons = [
                item for item in self.course_lessons if item.lesson_id != lesson_id
            ]
            self.notice = "The lesson is no longer part of this course; it still exists."
