"""Issue 15, finding 7: a tab that showed a share link keeps none of it once the link is
revoked. The tab's state is what the browser holds; a refused reload must empty it."""

from __future__ import annotations

import asyncio
import json

from learning_app.adapters.postgres import session_scope
from learning_app.pages.sharing.shared_page import SharedPageState
from learning_app.services.sharing import links
from tests.integration.people import new_course, new_lesson, publish
from tests.integration.tabs import sent_to_browser, tab_state


def test_a_refused_reload_empties_what_the_tab_had_loaded(teacher: str) -> None:
    course_id = new_course(teacher, "Tides explained")
    lesson_id = new_lesson(teacher, course_id, "Spring tides", body="The moon pulls the sea.")
    publish(teacher, course_id)
    with session_scope() as session:
        created = links.create_share_link(
            session, token=teacher, entity_type="lesson", entity_id=lesson_id
        )
    raw = created.path.removeprefix("/share/")
    tab = tab_state(SharedPageState, "", share_token=raw)
    asyncio.run(tab.load())
    assert tab.error == "" and tab.lesson_title == "Spring tides"
    assert "The moon pulls the sea." in tab.body_html

    with session_scope() as session:
        links.revoke_share_link(session, token=teacher, link_id=created.link.id)
    asyncio.run(tab.load())  # the same tab asks again: navigation, or a replayed event

    assert tab.error and not tab.loading
    browser = json.dumps(sent_to_browser(tab))
    for shown in ("Spring tides", "Tides explained", "The moon pulls the sea.", course_id):
        assert shown not in browser
