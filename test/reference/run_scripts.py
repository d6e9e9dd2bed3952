"""Runs many generated PyTorch scripts in one Python process (importing torch once).

Reads a JSON list of script texts on standard input; runs each as __main__ with no arguments;
prints a JSON list of {"ok": bool, "output": str}: ok when the script ended without an error or
a non-zero exit.
"""
import contextlib
import io
import json
import sys


def run(script):
    output = io.StringIO()
    sys.argv = ["script.py"]
    try:
        with contextlib.redirect_stdout(output):
            exec(compile(script, "script.py", "exec"), {"__name__": "__main__"})
        return {"ok": True, "output": output.getvalue()}
    except SystemExit as done:
        return {"ok": done.code in (None, 0), "output": output.getvalue() + str(done.code)}
    except Exception as error:  # noqa: BLE001 - any failure of the script is reported
        return {"ok": False, "output": output.getvalue() + repr(error)}


json.dump([run(script) for script in json.load(sys.stdin)], sys.stdout)
