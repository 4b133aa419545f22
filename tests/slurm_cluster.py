"""A private single-node Slurm cluster for the tests: munged, slurmctld
and slurmd from Debian's packages (slurmctld, slurmd, slurm-client,
munge; .ci/setup installs them), each started with its files in a
temporary directory and its own ports, and stopped afterwards. It runs
as the current user; jobs run on this machine."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "squeue", "scancel", "sinfo")


def missing() -> list[str]:
    """The programs this machine lacks to run the cluster."""
    found = {n: shutil.which(n) or shutil.which(n, path="/usr/sbin")
             for n in (*DAEMONS, *CLIENTS, "munge")}  # fmt: skip
    return [n for n, path in found.items() if path is None]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _daemon(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


@contextmanager
def cluster(workdir: Path, cpus: int = 2) -> Iterator[dict[str, str]]:
    """Start the cluster; yield the environment its clients need
    (``SLURM_CONF``)."""
    d = workdir
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o700)
    (d / "state").mkdir()
    (d / "spool").mkdir()
    key = d / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    sock = d / "munge.sock"
    subprocess.run(
        [_daemon("munged"), "--force", f"--socket={sock}",
         f"--key-file={key}", f"--pid-file={d / 'munged.pid'}",
         f"--log-file={d / 'munged.log'}",
         f"--seed-file={d / 'munged.seed'}"],
        check=True,
    )  # fmt: skip
    node = socket.gethostname().split(".")[0]
    user = getpass.getuser()
    conf = d / "slurm.conf"
    conf.write_text(f"""\
ClusterName=scotchtest
SlurmctldHost={node}(127.0.0.1)
SlurmctldPort={_free_port()}
SlurmdPort={_free_port()}
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
SlurmUser={user}
SlurmdUser={user}
StateSaveLocation={d / 'state'}
SlurmdSpoolDir={d / 'spool'}
SlurmctldPidFile={d / 'slurmctld.pid'}
SlurmdPidFile={d / 'slurmd.pid'}
SlurmctldLogFile={d / 'slurmctld.log'}
SlurmdLogFile={d / 'slurmd.log'}
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
NodeName={node} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=4096 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
""")
    env = {**os.environ, "SLURM_CONF": str(conf)}
    started: list[Path] = [d / "munged.pid"]
    try:
        for daemon, pid in (("slurmctld", "slurmctld.pid"),
                            ("slurmd", "slurmd.pid")):  # fmt: skip
            args = [_daemon(daemon), "-f", str(conf)]
            if daemon == "slurmd":
                args += ["-N", node]
            subprocess.run(args, check=True, env=env)
            started.append(d / pid)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            out = subprocess.run(["sinfo", "-h", "-o", "%t"], env=env,
                                 capture_output=True, text=True)  # fmt: skip
            if out.stdout.strip() == "idle":
                break
            time.sleep(0.5)
        else:
            logs = "\n".join(
                (d / f).read_text(errors="replace")[-2000:]
                for f in ("slurmctld.log", "slurmd.log")
                if (d / f).exists()
            )
            raise RuntimeError(f"the test Slurm node did not come up:\n{logs}")
        yield {"SLURM_CONF": str(conf)}
    finally:
        for pid_file in reversed(started):
            try:
                os.kill(int(pid_file.read_text().split()[0]), 15)
            except (OSError, ValueError):
                pass
        time.sleep(0.5)
