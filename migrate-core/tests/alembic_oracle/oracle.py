#!/usr/bin/env python3
"""Records Alembic's own upgrade, downgrade and stamp results as JSON fixtures.

migrate-core's `alembic_fixtures` test replays every case and compares step order,
per-step version-table changes, final rows and refusals. Python is only needed to
regenerate the fixtures:

    pip install alembic
    python3 migrate-core/tests/alembic_oracle/oracle.py

The graphs are Alembic's test-suite shapes plus seeded random histories (up to hundreds
of revisions with forks, merges, several bases, depends_on and branch labels). At most
one depends_on per revision keeps Alembic's own order deterministic (it iterates a set of
dependencies).
"""

import json
import os
import random
import sys
import types
import warnings

if os.environ.get("PYTHONHASHSEED") != "0":
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable] + sys.argv)

import alembic  # noqa: E402
from alembic.runtime.migration import HeadMaintainer  # noqa: E402
from alembic.script.base import ScriptDirectory  # noqa: E402
from alembic.script.revision import Revision, RevisionMap  # noqa: E402

warnings.simplefilter("ignore")
HERE = os.path.dirname(os.path.abspath(__file__))


class Script(Revision):
    module = types.SimpleNamespace(
        upgrade=lambda **kw: None, downgrade=lambda **kw: None
    )
    doc = ""


class Rows(HeadMaintainer):
    """HeadMaintainer with the version table replaced by its in-memory set."""

    def __init__(self, heads):
        self.heads = set(heads)

    def _insert_version(self, version):
        assert version not in self.heads
        self.heads.add(version)

    def _delete_version(self, version):
        self.heads.remove(version)

    def _update_version(self, from_, to_):
        assert to_ not in self.heads
        self.heads.remove(from_)
        self.heads.add(to_)


class Dir:
    """Just enough of ScriptDirectory to run its planning methods."""

    _upgrade_revs = ScriptDirectory._upgrade_revs
    _downgrade_revs = ScriptDirectory._downgrade_revs
    _stamp_revs = ScriptDirectory._stamp_revs
    _catch_revision_errors = ScriptDirectory._catch_revision_errors
    iterate_revisions = ScriptDirectory.iterate_revisions
    get_revisions = ScriptDirectory.get_revisions

    def __init__(self, revisions):
        scripts = [
            Script(
                r[0],
                tuple(r[1]) or None,
                dependencies=tuple(r[2]) or None,
                branch_labels=tuple(r[3]) or None,
            )
            for r in revisions
        ]
        self.revision_map = RevisionMap(lambda: scripts)
        self.order = {r[0]: i for i, r in enumerate(revisions)}


def run(d, op, current, target):
    rows = Rows(current)
    try:
        if op == "stamp":
            for step in d._stamp_revs(target, tuple(current)):
                rows.update_to_step(step)
            return {"rows": sorted(rows.heads, key=d.order.get)}
        if op == "upgrade":
            steps = d._upgrade_revs(target, tuple(current))
        else:
            steps = d._downgrade_revs(target, tuple(current))
        out = []
        for step in steps:
            before = set(rows.heads)
            rows.update_to_step(step)
            deleted = sorted(before - rows.heads, key=d.order.get)
            inserted = sorted(rows.heads - before, key=d.order.get)
            out.append(
                "%s %s -%s +%s"
                % (
                    step.revision.revision,
                    "up" if step.is_upgrade else "down",
                    ",".join(deleted),
                    ",".join(inserted),
                )
            )
        return {"steps": out, "rows": sorted(rows.heads, key=d.order.get)}
    except Exception as e:  # every refusal or crash is recorded as an error
        return {"error": type(e).__name__, "message": str(e)}


def generate(rng, n, roots=1, fork=10, merge=7, dep=6, label=50, max_heads=6):
    revs, open_, used, labels = [], [], set(), 0
    for i in range(n):
        while True:
            rid = "%012x" % rng.getrandbits(48)
            if rid not in used:
                used.add(rid)
                break
        roll = rng.randrange(100)
        parents, labelled = [], False
        must_merge = len(open_) > max_heads
        if i == 0 or (not must_merge and roll < roots):
            labelled = True
        elif len(open_) >= 2 and (must_merge or roll < roots + merge):
            count = 3 if len(open_) >= 3 and rng.randrange(4) == 0 else 2
            for _ in range(count):
                parents.append(open_.pop(rng.randrange(len(open_))))
        elif roll < roots + merge + fork:
            p = rng.randrange(i)
            if p in open_:
                open_.remove(p)
            else:
                labelled = True
            parents.append(p)
        else:
            parents.append(open_.pop(rng.randrange(len(open_))))
        deps = []
        if open_ and rng.randrange(100) < dep:
            deps.append(revs[rng.choice(open_)][0])
        lab = []
        if labelled and rng.randrange(100) < label:
            labels += 1
            lab.append("branch%d" % labels)
        revs.append([rid, [revs[p][0] for p in parents], deps, lab])
        open_.append(i)
    return revs


def R(id_, down=(), deps=(), labels=()):
    return [id_, list(down), list(deps), list(labels)]


HAND = {
    "linear": [R("e6239818bb3a"), R("548bbb905360", ["e6239818bb3a"]),
               R("b7ea43dc85e4", ["548bbb905360"]), R("1bbe33445780", ["b7ea43dc85e4"]),
               R("3975fb1a0125", ["1bbe33445780"])],
    "branched": [R("aaaa1111"), R("bbbb2222", ["aaaa1111"]),
                 R("c1c1c1c1", ["bbbb2222"], labels=["c1branch"]), R("d1d1d1d1", ["c1c1c1c1"]),
                 R("c2c2c2c2", ["bbbb2222"], labels=["c2branch"]), R("d2d2d2d2", ["c2c2c2c2"])],
    "branch_from_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"),
                               R("b2", ["a2"]), R("c2", ["b2"]), R("d1", ["c1", "c2"]),
                               R("d2", ["c2"])],
    "three_way_mergepoint": [R("a1"), R("b1", ["a1"]), R("c1", ["b1"]), R("a2"),
                             R("b2", ["a2"]), R("c2", ["b2"]), R("a3"), R("b3", ["a3"]),
                             R("c3", ["b3"]), R("d1", ["c1", "c2", "c3"]), R("d2", ["c2"]),
                             R("d3", ["c3"])],
    "twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]),
                   R("c1", ["b1", "b2", "b3"]), R("c2", ["b1", "b2", "b3"]),
                   R("d1", ["c1"]), R("d2", ["c2"])],
    "not_quite_twin_merge": [R("a"), R("b1", ["a"]), R("b2", ["a"]), R("b3", ["a"]),
                             R("c1", ["b1", "b2"]), R("c2", ["b2", "b3"]),
                             R("d1", ["c1"]), R("d2", ["c2"])],
    "depends_on_branch": [R("a1a1a1a1", labels=["lib1"]), R("b1b1b1b1", ["a1a1a1a1"]),
                          R("c1c1c1c1", ["b1b1b1b1"]), R("a2a2a2a2"), R("b2b2b2b2", ["a2a2a2a2"]),
                          R("c2c2c2c2", ["b2b2b2b2"], ["c1c1c1c1"]), R("d1d1d1d1", ["c1c1c1c1"]),
                          R("e1e1e1e1", ["d1d1d1d1"]), R("f1f1f1f1", ["e1e1e1e1"])],
    "multi_merge_with_dependency": [R("a1"), R("a2"), R("a3"), R("amerge", ["a1", "a2", "a3"]),
                                    R("b1"), R("b2"), R("bmerge", ["b1", "b2"]),
                                    R("c1"), R("c2"), R("c3"), R("cmerge", ["c1", "c2", "c3"]),
                                    R("d1", [], ["a3"])],
    "dependency_on_other_base": [R("base1", labels=["model"]), R("m2", ["base1"]),
                                 R("m3", ["m2"]), R("other", labels=["data"]),
                                 R("o2", ["other"], ["m2"]), R("o3", ["o2"]),
                                 R("m4", ["m3"], ["o2"])],
    # q is both a dependency of r and reachable through y -> x: Alembic's version-table
    # bookkeeping fails half-way on some moves here; we must refuse those up front.
    "dependency_reachable_twice": [R("aaaa"), R("qqqq"), R("xxxx", ["aaaa"], ["qqqq"]),
                                   R("yyyy", [], ["xxxx"]), R("cccc"),
                                   R("rrrr", ["yyyy", "cccc"], ["qqqq"])],
    "labels_and_prefixes": [R("ae1027a6acf0", labels=["core"]), R("ae1f00000000", ["ae1027a6acf0"]),
                            R("27c6a30d7c24", ["ae1f00000000"]), R("27c6b00000aa", ["ae1f00000000"], labels=["side"]),
                            R("bbbb00000001", ["27c6b00000aa"]), R("mmmm00000000", ["27c6a30d7c24", "bbbb00000001"]),
                            R("core2", ["mmmm00000000"])],
}


def targets_for(revs, rng, sample):
    ids = [r[0] for r in revs]
    labels = [l for r in revs for l in r[3]]
    t = ["head", "heads", "base", "+1", "+2", "-1", "-2", "+9", "-9", "zzzz", "head-1",
         "heads-1", "base+1", "base+2", "@head"]
    picks = ids if len(ids) <= sample else rng.sample(ids, sample)
    for i in picks:
        t += [i, i[:4], i[:1], i + "+1", i + "-1", i + "+2", i + "-2"]
    lpicks = labels if len(labels) <= 4 else rng.sample(labels, 4)
    for l in lpicks:
        t += [l, l + "@head", l + "@heads", l + "@base", l + "@+1", l + "@-1", l + "@+2"]
        if picks:
            t += [l + "@" + rng.choice(picks)]
    return list(dict.fromkeys(t))


def build(name, revs, rng, max_states, sample, max_cases):
    d = Dir(revs)
    states = [()]
    seen = {()}
    ids = [r[0] for r in revs]
    probes = ["heads", "base"] + rng.sample(ids, min(len(ids), 12))
    for target in probes:
        for start in list(states):
            for op in ("upgrade", "downgrade"):
                res = run(d, op, list(start), target)
                if "rows" in res:
                    st = tuple(res["rows"])
                    if st not in seen and len(states) < max_states:
                        seen.add(st)
                        states.append(st)
    cases = []
    targets = targets_for(revs, rng, sample)
    for st in states:
        for target in targets:
            for op in ("upgrade", "downgrade", "stamp"):
                cases.append((op, list(st), target))
    if len(cases) > max_cases:
        cases = rng.sample(cases, max_cases)
    out = []
    for op, st, target in cases:
        res = run(d, op, st, target)
        res.update({"op": op, "current": st, "target": target})
        out.append(res)
    return {"name": name, "revisions": revs, "cases": out}


def main():
    rng = random.Random(20240601)
    graphs = []
    for name, revs in HAND.items():
        graphs.append(build(name, revs, rng, max_states=12, sample=20, max_cases=1000))
    for seed, n, shuffle in [(1, 25, False), (2, 40, True), (3, 60, False), (4, 80, True),
                             (5, 120, False), (6, 300, False), (7, 400, True)]:
        grng = random.Random(seed)
        revs = generate(grng, n)
        if shuffle:
            grng.shuffle(revs)
        cases = 400 if n <= 120 else 120
        graphs.append(build("generated_%d_%d" % (seed, n), revs, grng, max_states=10,
                            sample=8, max_cases=cases))
    path = os.path.join(HERE, "fixtures.json")
    with open(path, "w") as f:
        json.dump({"alembic": alembic.__version__, "graphs": graphs}, f, separators=(",", ":"))
        f.write("\n")
    total = sum(len(g["cases"]) for g in graphs)
    errors = sum(1 for g in graphs for c in g["cases"] if "error" in c)
    print("wrote %s: %d graphs, %d cases (%d refusals)" % (path, len(graphs), total, errors))


if __name__ == "__main__":
    main()
