"""The visualizer's views: a lesson opens with the views it names, and `v` cycles through the others."""

from __future__ import annotations

from textual.app import App, ComposeResult

from app.tui.widgets.view_set import next_views, opening_views, view_cycle
from app.tui.widgets.visualizer import Visualizer


def test_a_lesson_opens_with_the_views_it_names_that_exist() -> None:
    assert opening_views(("loop", "pool")) == ("loop", "pool")
    assert opening_views(("pool",)) == ("pool",)
    assert opening_views(("syscalls",)) == ("syscalls",)


def test_v_cycles_from_the_lessons_set_through_each_view_alone_and_back() -> None:
    assert view_cycle(("loop", "pool"))[:3] == [("loop", "pool"), ("loop",), ("pool",)]
    assert view_cycle(("loop",))[:2] == [("loop",), ("pool",)]
    views = ("loop", "pool")
    seen = []
    for _ in range(len(view_cycle(views))):
        views = next_views(views, ("loop", "pool"))
        seen.append(views)
    assert seen[-1] == ("loop", "pool")  # a full turn comes back to the lesson's set
    assert next_views(("pool", "fds"), ("loop",)) == ("loop",)  # a set no longer offered starts the cycle again


class OneVisualizer(App[None]):
    def __init__(self, views: tuple[str, ...]) -> None:
        super().__init__()
        self.views = views

    def compose(self) -> ComposeResult:
        yield Visualizer(self.views, id="visualizer")


async def test_the_v_key_shows_the_next_set_of_views() -> None:
    app = OneVisualizer(("loop", "pool"))
    async with app.run_test(size=(120, 40)) as pilot:
        visualizer = app.query_one(Visualizer)
        lanes, pool = app.query_one("#lanes"), app.query_one("#pool-view")
        assert lanes.display and pool.display
        assert "loop + pool" in str(visualizer.border_subtitle)
        visualizer.focus_first_view()
        await pilot.press("v")
        assert lanes.display and not pool.display
        assert visualizer.border_subtitle == ""  # the loop alone looks as it always did
        await pilot.press("v")
        assert pool.display and not lanes.display
        assert app.focused is not None
