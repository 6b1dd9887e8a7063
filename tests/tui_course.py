"""A small course for the app's tests: slides with code, a fix, a predict and a never-ending server exercise."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.session import Session
from tests.conftest import write_files

TRACES = Path(__file__).parent / "traces"

SLIDES = """
# Loops and queues

Every callback waits in a queue.
<!-- speaker_note: SECRET-NOTE ask the class which queue runs first -->

```js
setTimeout(() => console.log('later'), 0);
```
<!-- end_slide -->

# Native code
<!-- deep_dive -->

```c
napi_value init(napi_env env, napi_value exports) { return exports; }
```
<!-- end_slide -->

# Try it

```sh
looplab run hello-order
```
"""

HELLO = """
title = "First, then second"
kind = "fix"
prompt = "Make `first` print from the main module and `second` from a timer."
hints = ["Print first straight away.", "Put second in a setTimeout."]
timeout = 10

[expect]
sequence = [{ text = "first", phase = "main" }, { text = "second", phase = "timers" }]
"""

GUESS = """
title = "Tick or timer"
kind = "predict"
prompt = "In what order do these three lines print?"
hints = ["The nextTick queue drains before the loop starts."]
timeout = 10

[expect]
sequence = ["main", "tick", "timeout"]
"""

FOREVER = """
title = "A server that never stops"
kind = "explore"
prompt = "This server listens on 127.0.0.1 until you stop it."
timeout = 120

[expect]
sequence = ["listening"]
"""

TOUR = """
title = "A tour of the loop"
kind = "explore"
prompt = "Run it and step through the loop."
timeout = 10

[expect]
sequence = [{ text = "main: start", phase = "main" }, { text = "main: end", phase = "main" }]
complete = false
"""


def write_tui_course(root: Path) -> Path:
    write_files(
        root,
        {
            "lessons/course.toml": 'title = "Looplab test course"\n\n[[sections]]\nid = "loop"\ntitle = "The loop"\n',
            "lessons/queues/lesson.toml": (
                'title = "Loops and queues"\nsection = "loop"\norder = 1\nsummary = "Where callbacks wait."\n'
                'exercises = ["hello-order", "guess", "forever", "tour"]\n'
            ),
            "lessons/queues/slides.md": SLIDES,
            "lessons/later/lesson.toml": (
                'title = "Threads later"\nsection = "loop"\norder = 2\nsummary = "Workers and the pool."\n'
                "exercises = []\n"
            ),
            "lessons/later/slides.md": "# Later\n\nMore to come.\n",
            "exercises/hello-order/exercise.toml": HELLO,
            "exercises/hello-order/starter.js": "setTimeout(() => console.log('first'), 0);\nconsole.log('second');\n",
            "exercises/hello-order/solution.js": "console.log('first');\nsetTimeout(() => console.log('second'), 0);\n",
            "exercises/guess/exercise.toml": GUESS,
            "exercises/guess/starter.js": (
                "setTimeout(() => console.log('timeout'), 0);\n"
                "process.nextTick(() => console.log('tick'));\n"
                "console.log('main');\n"
            ),
            "exercises/forever/exercise.toml": FOREVER,
            "exercises/forever/starter.js": (
                "// looplab-tui-forever-server\n"
                "const net = require('node:net');\n"
                "net.createServer().listen(0, '127.0.0.1', () => console.log('listening'));\n"
            ),
            "exercises/tour/exercise.toml": TOUR,
        },
    )
    (root / "exercises/tour/starter.js").write_bytes((TRACES / "loop_tour.js").read_bytes())
    return root


def tui_session(course: Path) -> Session:
    return Session(argparse.Namespace(node=None, course=str(course)))
