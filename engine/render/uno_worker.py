"""The warm LibreOffice's hands: converts .docx papers to PDF through UNO, one request a line.

Run by the system Python, which has Debian's python3-uno (the engine's virtual environment
cannot import `uno`), so this file imports nothing of the engine and nothing outside the
standard library but `uno`:

    /usr/bin/python3 -I uno_worker.py PIPE_NAME SOFFICE_GROUP CONNECT_SECONDS

It connects to the LibreOffice listening on the named pipe (retrying while it starts), says
{"ready": true}, then reads JSON lines from stdin and answers each with one JSON line on stdout:

    {"docx": "/abs/in.docx", "pdf": "/abs/out.pdf", "filter_data": {...}}  ->  {"ok": true}
                                                                         or  {"error": "...", "fatal": bool}
    {"quit": true}  ->  LibreOffice is asked to close, then {"ok": true}, and the worker ends

"fatal" means LibreOffice itself is gone (the bridge is dead): the worker ends after saying so.
When stdin closes (the engine ended, however it ended) the worker kills LibreOffice's process
group, so that no LibreOffice outlives the engine that started it."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import time

QUITTING = False  # the engine asked LibreOffice to quit: it waits for it, then kills what is left


def say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def one_line(exc: BaseException) -> str:
    """The error in one line, less UNO's source location (" at ./sw/source/...:123")."""
    text = re.sub(r"\s+at\s+\S+:\d+\s*$", "", " ".join(str(getattr(exc, "Message", "") or exc).split()))
    name = type(exc).__name__.rsplit(".", 1)[-1]
    return f"{name}: {text}" if text else name


def kill_group(group: int) -> None:
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass


def main() -> int:
    pipe, connect_seconds = sys.argv[1], float(sys.argv[3])  # argv[2], the group, is for the watchdog below
    try:
        import uno
        from com.sun.star.beans import PropertyValue
        from com.sun.star.connection import NoConnectException
    except ImportError as exc:
        say({"error": f"cannot import uno ({exc})", "missing": "python3-uno", "fatal": True})
        return 3

    def props(**values: object) -> tuple:
        return tuple(PropertyValue(Name=name, Value=value) for name, value in values.items())

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + connect_seconds
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                say({"error": f"LibreOffice did not listen within {connect_seconds:.0f} s", "fatal": True})
                return 4
            time.sleep(0.05)
        except Exception as exc:  # noqa: BLE001 - anything else: say it, in one line
            say({"error": f"cannot connect to LibreOffice: {one_line(exc)}", "fatal": True})
            return 4
    desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    say({"ready": True})
    return serve(uno, desktop, props)


def serve(uno, desktop, props) -> int:  # noqa: ANN001 - uno's objects have no Python types
    global QUITTING

    def alive() -> bool:
        try:
            desktop.getFrames()
            return True
        except Exception:  # noqa: BLE001 - a dead bridge raises DisposedException or RuntimeException
            return False

    for line in sys.stdin:
        try:
            request = json.loads(line)
        except ValueError:
            say({"error": "the request was not JSON", "fatal": False})
            continue
        if request.get("quit"):
            try:
                desktop.terminate()
            except Exception:  # noqa: BLE001 - it may already be going: the engine kills what is left
                pass
            QUITTING = True
            say({"ok": True})
            return 0
        document = None
        try:
            document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["docx"]), "_blank", 0,
                                                    props(Hidden=True, ReadOnly=True))
            if document is None:
                raise RuntimeError("LibreOffice could not open the paper")
            filter_data = uno.Any("[]com.sun.star.beans.PropertyValue", props(**request.get("filter_data", {})))
            document.storeToURL(uno.systemPathToFileUrl(request["pdf"]),
                                props(FilterName="writer_pdf_Export", FilterData=filter_data))
        except Exception as exc:  # noqa: BLE001 - one paper's failure is its answer
            fatal = not alive()
            say({"error": one_line(exc), "fatal": fatal})
            if fatal:
                return 5
            continue
        finally:
            if document is not None:
                try:
                    document.close(True)
                except Exception:  # noqa: BLE001 - closing a document LibreOffice lost: nothing to do
                    pass
        say({"ok": True})
    return 0  # stdin closed: the engine is gone


def run() -> int:
    """main(), and LibreOffice killed on every way out but a quit the engine asked for (which
    the engine waits on): stdin closed, stdout broken, LibreOffice lost, a bug."""
    group = int(sys.argv[2])
    code = 1
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - SystemExit, BrokenPipeError, KeyboardInterrupt, ...
        kill_group(group)
        raise
    if code != 0 or not QUITTING:
        kill_group(group)
    return code


if __name__ == "__main__":
    sys.exit(run())
