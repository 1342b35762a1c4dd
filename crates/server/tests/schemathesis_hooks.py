"""schemathesis hooks for crates/server/tests/schemathesis.rs: valid requests name things that exist.

(And one workaround, first: a lock around `ast.parse`, see below.)

The API document says what a handle, a team name or a milestone name looks like, not which ones
exist in a workspace. A well-formed name of nobody is refused by design (422, with a suggestion).
So in the parts of a request generated as valid (query, body), a name that is not in the demo
workspace the test serves becomes one that is; parts generated as invalid stay as they are, and
paths are left alone (a path naming nobody is 404, which the checks accept).
"""

import ast
import threading
import zlib

import schemathesis
from schemathesis.core.parameters import ParameterLocation

# With `--workers 2`, hypothesis may parse source in two threads at once (to describe lambdas),
# and CPython 3.11 can fail `ast.parse` run concurrently ("AST constructor recursion depth
# mismatch": the depth counter is per interpreter, not per thread). One parse at a time, then;
# hypothesis caches what it parsed, so this costs next to nothing.
_parse = ast.parse
_parsing = threading.Lock()


def _parse_one_at_a_time(*args, **kwargs):
    with _parsing:
        return _parse(*args, **kwargs)


ast.parse = _parse_one_at_a_time

HANDLES = ["ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hiro", "isla", "jon"]
TEAMS = ["Platform", "Payments", "Mobile"]
MILESTONES = ["Sprint end", "Q1 release", "M-1", "M-2"]
# Goals and items of the demo: what a commitment request is made for (`for` names a person
# everywhere else).
NODES = ["G-1", "G-3", "G-5", "I-2", "I-5", "I-10"]
NAMES = {
    "owner": HANDLES,
    "person": HANDLES,
    "for": HANDLES,
    "lead": HANDLES,
    "add_members": HANDLES,
    "remove_members": HANDLES,
    "members": HANDLES,
    "team": TEAMS,
    "milestone": MILESTONES,
}


def known(value, names):
    """A name from `names`, the same one for the same `value` (runs stay reproducible)."""
    return names[zlib.crc32(value.encode("utf-8", "surrogatepass")) % len(names)]


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    for location, container in ((ParameterLocation.QUERY, case.query), (ParameterLocation.BODY, case.body)):
        if not isinstance(container, dict) or (meta is not None and meta.is_negative_at(location)):
            continue
        for field, names in NAMES.items():
            if field == "for" and case.operation.path.endswith("/requests"):
                names = NODES
            value = container.get(field)
            if isinstance(value, str) and value not in names:
                container[field] = known(value, names)
            elif isinstance(value, list):
                container[field] = [
                    known(v, names) if isinstance(v, str) and v not in names else v for v in value
                ]
    return case
