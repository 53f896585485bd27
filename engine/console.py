"""The `decisions` console script. It imports the engine only inside its own handler, so that
Ctrl-C at any moment, even while the engine is still loading, ends with one line, not a traceback."""

from __future__ import annotations

import sys

from .problems import INTERRUPTED


def quiet_after_interrupt() -> None:
    """After Ctrl-C, objects torn down half-used (an open Word zip, say) may complain as the
    interpreter exits; those complaints say nothing the interrupted line does not."""
    sys.unraisablehook = lambda unraisable: None


def run() -> None:
    try:
        from .cli import main

        main()
    except KeyboardInterrupt:
        quiet_after_interrupt()
        print(INTERRUPTED, file=sys.stderr)
        sys.exit(130)
