"""build/bench/results.json, the one file `scons bench` writes: a JSON
list of records, one per figure and peer.

A figure that was measured is a record as DESIGN.md gives it:

  {"bench": "sched.yield_switch", "arch": "x86_64", "accel": "tcg",
   "config": "x86_64-pvh", "value": 289.2, "unit": "ns",
   "peer": "bus_call_inline", "peer_value": 1492.6, "ratio": 0.194,
   "p99": 583.2, "n": 201, ...}

and has no "status" key. A figure that was not measured keeps its place
in the list, with the same identifying keys (bench, arch, accel, config
for QEMU, unit, peer) and no numbers:

  {"bench": "irq.top_to_handler", "arch": "x86_64", "accel": "kvm",
   "config": "x86_64-pvh-kvm", "value": null, "unit": "ns",
   "peer": "irq_entry", "peer_value": null, "ratio": null,
   "status": "failed", "reason": "timed out after 300 s", "group": "irq"}

  status  "failed": it should have run here and did not (a boot that
          timed out, crashed or did not print the figure; a host
          benchmark that exited non-zero); "skipped": it was not run on
          purpose, and the reason says why (KVM where accel=auto picks
          TCG, user mode under KVM, no Linux image to compare with)
  reason  one line, for people
  group   what was run for it: one QEMU boot of a configuration (irq,
          kmalloc, sched, user, linux) or one host program (bus-bench,
          mm-bench, bus-scale)

A host program's figures are named in its C source only, so when one
fails it leaves one record per family of figures it makes, the bench
name ending in ".*" ("bus.*", "kmalloc.*", "mm.*", "bus.scale.*").

The figures a boot printed before it failed are kept. A figure whose
peer did not come (its boot did not print the peer's line, or the peer
is from another group that failed: syscall.bus_call beside
sched.thread_call, from the sched boot) is still a measured record:
"peer_value" and "ratio" are null and "peer_reason" says why.
docs/PERFORMANCE_NOTES.md describes the same for people.
"""
import json

FAILED = 'failed'
SKIPPED = 'skipped'


def not_run(bench, arch, accel, status, reason, group, config=None,
            unit='ns', peer=None):
    """The record of a figure that was not measured."""
    r = {'bench': bench, 'arch': arch, 'accel': accel}
    if config is not None:
        r['config'] = config
    r.update({'value': None, 'unit': unit, 'peer': peer,
              'peer_value': None, 'ratio': None, 'status': status,
              'reason': reason, 'group': group})
    return r


def measured(r):
    """True for a record with a figure in it."""
    return 'status' not in r


def load(path):
    """The records in path; [] when it is missing or holds no list."""
    try:
        with open(path) as f:
            rec = json.load(f)
    except (OSError, ValueError):
        return []
    return rec if isinstance(rec, list) else []


def save(path, records):
    with open(path, 'w') as f:
        json.dump(records, f, indent=1)


def label(r):
    """Where a record's group ran, for people: 'x86_64-pvh-kvm irq',
    'host mm-bench'."""
    return '%s %s' % (r.get('config') or r.get('arch', '?'),
                      r.get('group', '?'))


def collapse(rows):
    """Rows for a table: a measured record stays itself; neighbouring
    records of one group that did not run, with one status and reason,
    become one list of them, so a boot that failed is one line naming
    its figures, not one line per figure."""
    out = []
    for r in rows:
        if measured(r):
            out.append(r)
            continue
        last = out[-1] if out else None
        if (isinstance(last, list) and
                label(last[0]) == label(r) and
                last[0].get('accel') == r.get('accel') and
                last[0]['status'] == r['status'] and
                last[0]['reason'] == r['reason']):
            last.append(r)
        else:
            out.append([r])
    return out


def summary(who, groups):
    """One line saying how many groups ran, and what failed and was
    skipped, with why; groups: [(label, status or None, reason)], status
    None for a group that ran."""
    ran = sum(1 for _, st, _ in groups if st is None)
    failed = ['%s (%s)' % (g, why) for g, st, why in groups
              if st == FAILED]
    skipped = ['%s (%s)' % (g, why) for g, st, why in groups
               if st == SKIPPED]
    line = '%s: %d of %d groups ran' % (who, ran, len(groups))
    if skipped:
        line += '; skipped: ' + ', '.join(skipped)
    if failed:
        line += '; failed: ' + ', '.join(failed)
    return line
