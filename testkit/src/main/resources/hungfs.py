"""A FUSE file system that never answers: its root is a directory, and looking up anything in it
hangs, as a dead NFS or FUSE server does. Usage: python3 hungfs.py MOUNTPOINT."""
import stat
import sys
import time

from fusepy import FUSE, Operations


class Hung(Operations):
    def getattr(self, path, fh=None):
        if path == "/":
            return dict(st_mode=(stat.S_IFDIR | 0o755), st_nlink=2)
        while True:
            time.sleep(3600)


if __name__ == "__main__":
    FUSE(Hung(), sys.argv[1], foreground=True, nothreads=False)
