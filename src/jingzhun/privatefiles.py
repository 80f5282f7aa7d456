"""Files and folders private to the service user (no Django): folders 0700, files 0600.

The registry's files hold ID numbers (error files, exports, the SQLite database): readable by
their owner alone, whatever the umask of whoever started the process (issue #11 item 8).
Settings also set the umask to 0o077; these helpers hold on their own (a file written over an
older one keeps the older one's mode, so the mode is set on the open file too).
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: Path) -> Path:
    """Create `path` (and its parents) if missing; close it to everyone but its owner."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    path.chmod(FOLDER_MODE)
    return path


def make_private(path: Path) -> Path:
    """Close a file another library wrote to everyone but its owner."""
    path.chmod(FILE_MODE)
    return path


def write_private(path: Path, content: bytes) -> Path:
    """Write `content` to `path`, created 0600 (an existing file is made 0600 before writing)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        if hasattr(os, "fchmod"):  # POSIX; on Windows modes are not permissions
            os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(content)
    return path
