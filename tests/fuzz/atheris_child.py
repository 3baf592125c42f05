"""One target under atheris (libFuzzer): ``python -m fuzz.atheris_child NAME SECONDS WORK CAP_MB``.

Coverage-guided: phunt's modules are imported under ``atheris.instrument_imports`` so new
branches steer the mutations. The corpus starts from the target's seeds. libFuzzer
enforces the per-input limit (``-timeout``) and the memory cap (``-rss_limit_mb``, on top
of the warmed-up process) and writes the input of any crash, hang or excess to ``WORK/``;
the parent reads them and libFuzzer's log (stderr, ``WORK/libfuzzer.log``).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
from pathlib import Path

import atheris

# numba compiles the bytecode of its kernels and cannot type the instrumented version: the
# modules holding kernels run uninstrumented (their callers' branches are still seen).
NUMBA_MODULES = ["phunt.hashing.pdq", "phunt.hashing.image_decode"]

with atheris.instrument_imports(include=["phunt"], exclude=NUMBA_MODULES):
    import phunt.chats
    import phunt.content.exif
    import phunt.hashing.image_decode
    import phunt.hashing.pdq
    import phunt.hashing.vpdq
    import phunt.hashsets.detect
    import phunt.sources.expand  # noqa: F401 - imported to be instrumented

from fuzz.targets import BY_NAME, known_open, prepare  # noqa: E402 - after instrumenting


def main() -> None:
    name, seconds, work_arg, cap_arg = sys.argv[1:5]
    target = BY_NAME[name]
    work = Path(work_arg)
    scratch = work / "scratch"  # removed with WORK by the parent
    scratch.mkdir()
    prepare(target, scratch)
    corpus = work / "corpus"
    corpus.mkdir()
    for number, seed in enumerate(target.seeds):
        shutil.copyfile(seed, corpus / f"seed-{number}")
        target.run(seed.read_bytes(), scratch)  # warm up, as the hypothesis child does
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    (work / "ready").touch()

    def one(data: bytes) -> None:
        try:
            target.run(data, scratch)
        except Exception as exc:
            if not known_open(name, exc, work):
                raise

    # libFuzzer ends the process itself (at the time limit, or on a finding): its log
    # (stderr) and artifacts are what the parent reads.
    fd = os.open(work / "libfuzzer.log", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(fd, 2)
    atheris.Setup(
        [
            sys.argv[0],
            f"-max_total_time={max(1, int(float(seconds)))}",
            # wall-clock: generous on a shared machine; the parent re-runs a timeout alone
            # under the CPU limit (fuzz.classify) before it counts
            f"-timeout={int(target.time_limit * 3)}",
            f"-rss_limit_mb={rss_mb + int(cap_arg)}",
            f"-artifact_prefix={work}/",
            "-print_final_stats=1",
            "-max_len=262144",
            str(corpus),
        ],
        one,
    )
    atheris.Fuzz()


if __name__ == "__main__":
    main()
