"""Prints the figures of a `wirekv bench --json` report's first trial on one line, for the bench scripts:
achieved req/s, server cores, req per server CPU-second, then (with --outcomes) lost, errors, wrong answers.
A report that cannot be read prints zeros (the script shows the bench's log)."""
import json
import sys

path = sys.argv[1]
outcomes = "--outcomes" in sys.argv[2:]
try:
    t = json.load(open(path))["trials"][0]
    c = t["server_cpu"] or {"cores": 0, "requests_per_cpu_s": 0}
    figures = [f'{t["achieved_per_s"]:.0f}', f'{c["cores"]:.2f}', f'{c["requests_per_cpu_s"]:.0f}']
    if outcomes:
        figures += [str(t["lost"]), str(t["errors"]), str(t["wrong_answers"])]
    print(" ".join(figures))
except Exception:
    print(" ".join(["0"] * (6 if outcomes else 3)))
