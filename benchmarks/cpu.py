"""CPU time of a target and of the PostgreSQL backends serving it, from /proc.

A target is started in a session of its own (`start_new_session`), so its master, workers or
cluster processes share one process group. Each process counts its own user + system time plus
what its children that have exited and been waited for used (`cutime`, `cstime`), so a worker
replaced during a run still counts, once. PostgreSQL backends are recognised by their process title
(`postgres: [cluster: ]user database host(port) state`), so only the backends connected to the
target's own database count: not PostgreSQL's background processes, not other databases.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
BACKEND_TITLE = re.compile(r"^postgres: (?:\S+: )?\S+ (\S+) ")


@dataclass(frozen=True)
class Snapshot:
    target: dict[int, int]  # pid -> ticks
    database: dict[int, int]


def snapshot(process_group: int, database: str) -> Snapshot:
    target, backends = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            title = (entry / "cmdline").read_bytes().split(b"\0", 1)[0].decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        # The command name (field 2) may hold spaces: the fields that follow come after its ")".
        fields = stat.rpartition(")")[2].split()
        group, utime, stime, cutime, cstime = int(fields[2]), *map(int, fields[11:15])
        if group == process_group:
            target[int(entry.name)] = utime + stime + cutime + cstime
        else:
            match = BACKEND_TITLE.match(title)
            if match and match.group(1) == database:
                backends[int(entry.name)] = utime + stime
    return Snapshot(target, backends)


def used_ms(before: Snapshot, after: Snapshot) -> tuple[float, float]:
    """CPU milliseconds of the target and of its database backends between two snapshots."""

    def delta(first: dict[int, int], second: dict[int, int]) -> float:
        ticks = sum(value - first.get(pid, 0) for pid, value in second.items())
        return ticks * 1000 / TICKS_PER_SECOND

    return delta(before.target, after.target), delta(before.database, after.database)
