"""The lesson screen's three panes: their layout (side by side, stacked or folded), focus, sizes and zoom."""

from __future__ import annotations

from textual.widget import Widget

from app.tui.widgets.visualizer import Visualizer

PANES = ("slides", "visualizer", "exercise")
STACK_BELOW = 110  # columns: narrower terminals get the panes one above the other
FOLD_BELOW = 45  # rows: stacked on a short terminal, only the pane in use is open; the others show a header


class LessonPanes:
    """Mixed into LessonScreen: the keys and events that arrange its panes."""

    def on_resize(self) -> None:
        if self.maximized is None:
            self._apply_layout()

    def on_descendant_focus(self) -> None:
        if self.maximized is None:
            self._apply_layout()

    def _apply_layout(self) -> None:
        panes = self.query_one("#panes")
        stacked = self.size.width < STACK_BELOW
        folding = stacked and self.size.height < FOLD_BELOW
        panes.set_class(stacked, "stacked")
        open_pane = self._pane_of(self.focused) or self._open_pane
        self._open_pane = open_pane
        for name in PANES:
            pane = self.query_one(f"#{name}")
            weight = f"{self.weights[name]}fr"
            folded = folding and name != open_pane
            pane.set_class(folded, "folded")
            pane.styles.width = "1fr" if stacked else weight
            pane.styles.height = 3 if folded else (weight if stacked else "1fr")

    def _pane_of(self, widget: Widget | None) -> str | None:
        while widget is not None:
            if widget.id in PANES:
                return widget.id
            widget = widget.parent  # type: ignore[assignment]
        return None

    def action_focus_pane(self, name: str) -> None:
        if self.maximized is not None and self.maximized.id != name:
            self._unzoom()  # the pane asked for must be on screen to take the keys
        pane = self.query_one(f"#{name}")
        pane.display = True
        if name == "visualizer":
            self.query_one(Visualizer).focus_first_view()  # the lanes, unless the lesson's views hide them
            return
        target = {"slides": "#slide-view", "exercise": "#exercise-body"}[name]
        if name == "exercise" and self.exercise is not None and self.exercise.kind == "predict":
            self.query_one("#predict").focus(scroll_visible=False)  # the prompt and key line above it stay in view
            self.query_one("#exercise-body").scroll_home(animate=False)
            return
        self.query_one(target).focus()

    def action_toggle_pane(self, name: str) -> None:
        if self.maximized is not None:
            self._unzoom()
        pane = self.query_one(f"#{name}")
        shown = [p for p in PANES if self.query_one(f"#{p}").display]
        if pane.display and shown == [name]:
            self.notify("That is the last pane showing.", severity="warning")
            return
        pane.display = not pane.display
        if pane.display:
            self.action_focus_pane(name)
        elif self._pane_of(self.focused) == name or self.focused is None:
            self.action_focus_pane(next(p for p in PANES if self.query_one(f"#{p}").display))

    def action_resize(self, delta: int) -> None:
        name = self._pane_of(self.focused) or "visualizer"
        self.weights[name] = max(1, min(8, self.weights[name] + delta))
        self._apply_layout()

    def action_zoom(self) -> None:
        if self.maximized is not None:
            self._unzoom()
            return
        name = self._pane_of(self.focused)
        if name is not None:
            pane = self.query_one(f"#{name}")
            pane.styles.width = pane.styles.height = "1fr"  # its share of the row would also apply when zoomed
            pane.remove_class("folded")
            self.maximize(pane, container=False)

    def _unzoom(self) -> None:
        self.minimize()
        self._apply_layout()

    def action_back(self) -> None:
        if self.maximized is not None:
            self._unzoom()
        else:
            self.app.pop_screen()
