"""What the door tests share: the listening sockets and command lines of the stack's processes."""

from __future__ import annotations

import ipaddress
import socket
import struct
from pathlib import Path

LISTEN = "0A"  # TCP state in /proc/net/tcp*


def _address(hex_address: str) -> str:
    """The kernel prints each 32-bit word of the address in host (little-endian) order."""
    packed = b"".join(struct.pack("<I", int(hex_address[i:i + 8], 16)) for i in range(0, len(hex_address), 8))
    if len(packed) == 4:
        return socket.inet_ntop(socket.AF_INET, packed)
    return str(ipaddress.IPv6Address(packed))


def listening_addresses(port: int) -> set[str]:
    """Every local address a socket on this machine is listening on for ``port`` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, _, hex_port = local.partition(":")
            if state == LISTEN and int(hex_port, 16) == port:
                found.add(_address(address))
    return found


def session_processes(leader: int) -> dict[int, bytes]:
    """The command line (NUL-separated argv) of every process in the session ``leader`` started."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
            session = int(stat.rsplit(")", 1)[1].split()[3])  # after "(comm)": state ppid pgrp session
            if session == leader:
                found[int(proc.name)] = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return found
