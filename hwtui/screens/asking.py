"""The one way a screen asks the record something: off the UI thread, answered by a
typed message.

`ask(screen, question, answer, name=...)` runs *question* (a `Practice` method, or a
few of them) in a thread worker and posts `answer(result)` to the screen, a message of
the screen's own with a typed field; a failure posts `failed(error)` if given, else
`Failed`, which the app shows (`HomeworkApp.on_failed`) unless the screen handles it.
Posted from the worker itself, the answer is in the screen's queue before the worker
counts as finished, so the key-order gate (`KEYS_WAIT_FOR`, by *name*) lets the next key
through only after it. An answer to a question asked again meanwhile (*exclusive*, the
default) is dropped: only the newest is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

from textual.message import Message
from textual.worker import Worker, get_current_worker

from hwtui.data.practice import Practice

if TYPE_CHECKING:
    from textual.dom import DOMNode

T = TypeVar("T")


class _HasPractice(Protocol):
    practice: Practice


class Failed(Message):
    """A question *name* failed with *error*; bubbles to the app, which shows it."""

    def __init__(self, name: str, error: BaseException) -> None:
        super().__init__()
        self.name = name
        self.error = error


def ask(
    screen: DOMNode,
    question: Callable[[Practice], T],
    answer: Callable[[T], Message] | None,
    *,
    name: str,
    exclusive: bool = True,
    failed: Callable[[BaseException], Message] | None = None,
) -> Worker[None]:
    """Ask *question* of the app's `Practice` in a worker; see the module's docstring."""
    practice = cast(_HasPractice, screen.app).practice

    def work() -> None:
        worker = get_current_worker()
        try:
            result = question(practice)
        except Exception as error:
            if not worker.is_cancelled:
                screen.post_message(failed(error) if failed else Failed(name, error))
            return
        if answer is not None and not worker.is_cancelled:
            screen.post_message(answer(result))

    return screen.run_worker(
        work, name=name, group=name, thread=True, exclusive=exclusive, exit_on_error=False
    )


def tell(screen: DOMNode, deed: Callable[[Practice], object], *, name: str) -> Worker[None]:
    """Do *deed* (an audit of a copy, keeping typed words) in a worker, needing no
    answer; a failure is shown like any other. *screen* may be the app itself, for a
    deed that must outlive the screen that asked (a screen's workers end with it)."""
    return ask(screen, deed, None, name=name, exclusive=False)


def warm(screen: DOMNode, job: Callable[[], None], *, name: str) -> Worker[None]:
    """Work that reads nothing of the record (importing what a next screen needs), in a
    thread worker of *screen* named *name*, so that `KEYS_WAIT_FOR` can hold keys until
    it is done. A failure is left to the code that needs the work: it does it itself and
    says why."""
    return screen.run_worker(job, name=name, group=name, thread=True, exit_on_error=False)
