#!/usr/bin/python3
"""A FUSE filesystem that loses power: file data written since the last fsync stays in
memory (as a page cache would keep it), and at the cut -- fired from inside the Nth write --
each file's unsynced data is lost or torn (random 4 KiB pages of it reach the disk, the rest
is the old data or zeros, at a random length between the old and the new one). From then on
every operation fails with EIO, as a disk without power would. Metadata (create, rename,
link, unlink, truncate of a clean file) reaches the backing directory at once, as a
journaling filesystem commits it.

Usage: power-cut-fs.py BACKING MOUNTPOINT [--cut-at N] [--cut-match REGEX] [--seed S]
(with --cut-match, N counts only the writes to paths the regular expression matches)
Prints "ready" once mounted and "cut write=N path=P files=F" at the cut (on stdout).
A clean unmount (no cut) writes what is unsynced, as a clean shutdown would.
"""
import argparse
import errno
import os
import random
import re
import sys

try:
    import fusepy as fuse  # Debian's python3-fusepy
except ImportError:  # pip's fusepy
    import fuse  # type: ignore

PAGE = 4096


class PowerCut(fuse.Operations):
    def __init__(self, backing, cut_at, cut_match, seed):
        self.backing = backing
        self.cut_at = cut_at
        self.cut_match = re.compile(cut_match) if cut_match else None
        self.counted = 0
        self.random = random.Random(seed)
        self.writes = 0
        self.dead = False
        # path -> bytearray: the file's content as programs see it, where it differs from disk
        self.cache = {}

    # -- helpers -------------------------------------------------------------
    def _real(self, path):
        return os.path.join(self.backing, path.lstrip('/'))

    def _alive(self):
        if self.dead:
            raise fuse.FuseOSError(errno.EIO)

    def _durable(self, path):
        try:
            with open(self._real(path), 'rb') as f:
                return bytearray(f.read())
        except FileNotFoundError:
            return bytearray()

    def _content(self, path):
        if path not in self.cache:
            self.cache[path] = self._durable(path)
        return self.cache[path]

    def _persist(self, path, data):
        fd = os.open(self._real(path), os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, bytes(data), 0)
            os.fsync(fd)
        finally:
            os.close(fd)

    def _cut(self, path):
        """The power goes: each dirty file keeps a random mix of its old and new pages."""
        self.dead = True
        files = 0
        for name, new in self.cache.items():
            if not os.path.exists(self._real(name)):
                continue
            old = self._durable(name)
            if old == new:
                continue
            files += 1
            choice = self.random.random()
            if choice < 0.25:
                length = len(old)
            elif choice < 0.5:
                length = len(new)
            else:
                low, high = sorted((len(old), len(new)))
                length = self.random.randint(low, high)
            torn = bytearray(length)
            for start in range(0, length, PAGE):
                end = min(length, start + PAGE)
                source = new if self.random.random() < 0.5 else old
                piece = source[start:end]
                torn[start:start + len(piece)] = piece  # beyond the source: zeros
            self._persist(name, torn)
        self.cache.clear()
        print(f'cut write={self.writes} path={path} files={files}', flush=True)

    # -- metadata: straight to the backing directory -------------------------
    def getattr(self, path, fh=None):
        self._alive()
        try:
            st = os.lstat(self._real(path))
        except OSError as e:
            raise fuse.FuseOSError(e.errno)
        attrs = {key: getattr(st, key) for key in (
            'st_atime', 'st_ctime', 'st_gid', 'st_mode', 'st_mtime', 'st_nlink', 'st_size', 'st_uid')}
        if path in self.cache:
            attrs['st_size'] = len(self.cache[path])
        return attrs

    def readdir(self, path, fh):
        self._alive()
        return ['.', '..'] + os.listdir(self._real(path))

    def access(self, path, mode):
        self._alive()
        if not os.access(self._real(path), mode):
            raise fuse.FuseOSError(errno.EACCES)

    def chmod(self, path, mode):
        self._alive()
        os.chmod(self._real(path), mode)

    def chown(self, path, uid, gid):
        self._alive()
        os.chown(self._real(path), uid, gid)

    def utimens(self, path, times=None):
        self._alive()
        os.utime(self._real(path), times)

    def mkdir(self, path, mode):
        self._alive()
        os.mkdir(self._real(path), mode)

    def rmdir(self, path):
        self._alive()
        os.rmdir(self._real(path))

    def unlink(self, path):
        self._alive()
        os.unlink(self._real(path))
        self.cache.pop(path, None)

    def rename(self, old, new):
        self._alive()
        os.rename(self._real(old), self._real(new))
        self.cache.pop(new, None)
        if old in self.cache:
            self.cache[new] = self.cache.pop(old)

    def link(self, target, source):
        self._alive()
        if source in self.cache:
            # Only clean files are linked here (a snapshot kept as the previous one).
            raise fuse.FuseOSError(errno.EPERM)
        os.link(self._real(source), self._real(target))

    def statfs(self, path):
        self._alive()
        st = os.statvfs(self._real(path))
        return {key: getattr(st, key) for key in (
            'f_bavail', 'f_bfree', 'f_blocks', 'f_bsize', 'f_favail', 'f_ffree', 'f_files', 'f_flag',
            'f_frsize', 'f_namemax')}

    # -- file data: through the cache ----------------------------------------
    def create(self, path, mode, fi=None):
        self._alive()
        fd = os.open(self._real(path), os.O_WRONLY | os.O_CREAT, mode)
        os.close(fd)
        return 0

    def open(self, path, flags):
        self._alive()
        if not os.path.exists(self._real(path)):
            raise fuse.FuseOSError(errno.ENOENT)
        if flags & os.O_TRUNC:
            self._content(path)[:] = b''
        return 0

    def read(self, path, size, offset, fh):
        self._alive()
        if path in self.cache:
            return bytes(self.cache[path][offset:offset + size])
        with open(self._real(path), 'rb') as f:
            f.seek(offset)
            return f.read(size)

    def write(self, path, data, offset, fh):
        self._alive()
        self.writes += 1
        content = self._content(path)
        if offset > len(content):
            content.extend(bytes(offset - len(content)))
        content[offset:offset + len(data)] = data
        if self.cut_match is None or self.cut_match.search(path):
            self.counted += 1
        if self.counted == self.cut_at:
            self._cut(path)
            raise fuse.FuseOSError(errno.EIO)
        return len(data)

    def truncate(self, path, length, fh=None):
        self._alive()
        content = self._content(path)
        if length < len(content):
            del content[length:]
        else:
            content.extend(bytes(length - len(content)))

    def fsync(self, path, datasync, fh):
        self._alive()
        if path in self.cache:
            self._persist(path, self.cache.pop(path))

    def fsyncdir(self, path, datasync, fh):
        self._alive()

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        return 0

    def init(self, path):
        print('ready', flush=True)

    def destroy(self, path):
        # A clean unmount is a clean shutdown: what is unsynced is written.
        if not self.dead:
            for name, content in list(self.cache.items()):
                if os.path.exists(self._real(name)):
                    self._persist(name, content)
            self.cache.clear()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('backing')
    parser.add_argument('mountpoint')
    parser.add_argument('--cut-at', type=int, default=0)
    parser.add_argument('--cut-match', default='')
    parser.add_argument('--seed', type=int, default=1)
    args = parser.parse_args()
    ops = PowerCut(os.path.abspath(args.backing), args.cut_at, args.cut_match, args.seed)
    fuse.FUSE(ops, args.mountpoint, foreground=True, nothreads=True, direct_io=True,
              attr_timeout=0, entry_timeout=0, negative_timeout=0, default_permissions=True)


if __name__ == '__main__':
    sys.exit(main())
