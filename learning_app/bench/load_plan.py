"""The plan of `learning-app bench load`: what the Locust students (`load_students`) need to
know of the run, written as JSON (`LOAD_PLAN`): the backend's address, the full names of the
states they drive and the compiled initial state's hashes (as the frontend knows them), the
world's ids and accounts, and how long they think between actions."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from learning_app.bench.load_world import QUERIES, TOPICS, LoadWorld
from learning_app.services.accounts.sessions import SESSION_COOKIE
from learning_app.settings import get_settings


def _state_names() -> dict[str, str]:
    """The full names of the states the students drive, as the compiled frontend knows them."""
    from reflex.state import OnLoadInternalState, State

    from learning_app.pages.accounts.sign_in import SignInState
    from learning_app.pages.attempts.take_state import AttemptState
    from learning_app.pages.courses.lesson_reader import LessonReaderState
    from learning_app.pages.exams.intro import ExamIntroState
    from learning_app.pages.review.review_state import ReviewState
    from learning_app.pages.search.results import SearchPageState
    from learning_app.pages.tutor.ask import TutorState
    from learning_app.state.auth import AuthState

    states = {
        "root": State,
        "root_load": OnLoadInternalState,
        "auth": AuthState,
        "sign_in": SignInState,
        "lesson": LessonReaderState,
        "search": SearchPageState,
        "tutor": TutorState,
        "intro": ExamIntroState,
        "attempt": AttemptState,
        "review": ReviewState,
    }
    return {key: state.get_full_name() for key, state in states.items()}


def _initial_state_hashes() -> list[str]:
    """What a freshly loaded page sends with its hydrate: the hashes of the compiled initial
    state, so the backend sends only what differs (computed the way the compiler does)."""
    from reflex.state import State, _resolve_delta, state_snapshot_hashes

    import learning_app.learning_app  # noqa: F401 - registers every page state

    snapshot = asyncio.run(_resolve_delta(State(_reflex_internal_init=True).dict(initial=True)))
    return state_snapshot_hashes(snapshot)


def write_plan(
    world: LoadWorld,
    port: int,
    path: Path,
    *,
    think_s: tuple[float, float],
    reconnect: bool,
    floor_events: int,
) -> None:
    """The plan for one Locust run. `reconnect`: a student whose socket drops connects again
    (behind a load balancer); `floor_events`: the events of a `FloorStudent`'s action."""
    from reflex_base.constants import Reflex

    from learning_app.pages.attempts.take_state import NOT_SAVED, SAVED

    states = _state_names()
    plan = {
        "backend_ws": f"ws://127.0.0.1:{port}",
        # The Origin a browser on the app's pages sends; the backend refuses any other.
        "origin": get_settings().allowed_origins[0],
        "reflex_version": Reflex.VERSION,
        "states": states,
        "state_hashes": _initial_state_hashes(),
        "session_cookie": SESSION_COOKIE,
        "saved": SAVED,
        "not_saved": NOT_SAVED,
        "think_min_s": think_s[0],
        "think_max_s": think_s[1],
        "reconnect": reconnect,
        "floor_events": floor_events,
        "course_id": str(world.course.course_id),
        "lesson_ids": world.lesson_ids,
        "practice_exam_id": world.practice_exam_id,
        "spike_exam_id": world.spike_exam_id,
        "responses": world.course.responses,
        "queries": QUERIES,
        "tutor_questions": [question for _, question, _, _ in TOPICS],
        "accounts": world.accounts,
        "spike_tokens": world.spike_tokens,
    }
    path.write_text(json.dumps(plan))
