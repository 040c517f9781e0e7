package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// classify maps SQLite and file-system failures onto the typed errors by
// SQLite's result code (the primary code, so every extended variant such as
// SQLITE_READONLY_DBMOVED or SQLITE_BUSY_SNAPSHOT counts), never by the
// wording of a message.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN:
			return fmt.Errorf("%w (%v)", ErrReadOnly, err)
		case sqlite3.SQLITE_FULL:
			// SQLite's own answer to ENOSPC on a write.
			return fmt.Errorf("%w (%v)", ErrDiskFull, err)
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w (%v)", ErrLocked, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w (%v)", ErrCorrupt, err)
		case sqlite3.SQLITE_IOERR:
			switch se.Code() {
			case sqlite3.SQLITE_IOERR_WRITE, sqlite3.SQLITE_IOERR_FSYNC, sqlite3.SQLITE_IOERR_DIR_FSYNC, sqlite3.SQLITE_IOERR_TRUNCATE:
				// The same code comes from a write the file system
				// refused (EPERM, EROFS: a volume gone read-only) and
				// from growing the file on a full disk; the room left
				// tells them apart.
				if diskFull() {
					return fmt.Errorf("%w (%v)", ErrDiskFull, err)
				}
				return fmt.Errorf("%w (%v)", ErrReadOnly, err)
			}
		}
		return err
	}
	switch {
	case errors.Is(err, syscall.ENOSPC):
		return fmt.Errorf("%w (%v)", ErrDiskFull, err)
	case errors.Is(err, os.ErrPermission), errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w (%v)", ErrReadOnly, err)
	}
	return err
}

// fullBelow is the room under which a disk counts as full: SQLite grows
// its files by pages and chunks of this order.
const fullBelow = 4 << 20

// dirs are the folders of the open databases, whose room decides whether
// an ambiguous write error is a full disk.
var dirs = struct {
	sync.Mutex
	n map[string]int
}{n: map[string]int{}}

func watchDir(dir string, open bool) {
	dirs.Lock()
	defer dirs.Unlock()
	if open {
		dirs.n[dir]++
	} else if dirs.n[dir]--; dirs.n[dir] <= 0 {
		delete(dirs.n, dir)
	}
}

// diskFull reports whether an open database's folder has next to no room.
func diskFull() bool {
	dirs.Lock()
	defer dirs.Unlock()
	for dir := range dirs.n {
		if free, err := freeBytes(dir); err == nil && free < fullBelow {
			return true
		}
	}
	return false
}

// LockError is ErrLocked with the program that holds the database, when it
// can be known ("" otherwise: then no guess is made).
type LockError struct {
	Holder string
	err    error
}

func (e *LockError) Error() string {
	if e.Holder == "" {
		return e.err.Error()
	}
	return e.err.Error() + "; held by " + e.Holder
}

func (e *LockError) Unwrap() error { return e.err }

// locked names the holder of a database Open found locked.
func locked(path string, err error) error {
	if !errors.Is(err, ErrLocked) {
		return err
	}
	return &LockError{Holder: holderOf(path), err: err}
}

// holderOf finds another process with the database (or its -wal or -shm
// file) open, as "name (pid N)", where /proc lists open files (Linux).
func holderOf(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	want := map[string]bool{abs: true, abs + "-wal": true, abs + "-shm": true}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return ""
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self {
			continue
		}
		fds, err := os.ReadDir(filepath.Join("/proc", p.Name(), "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join("/proc", p.Name(), "fd", fd.Name())); err == nil && want[target] {
				name, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "comm"))
				return fmt.Sprintf("%s (pid %d)", strings.TrimSpace(string(name)), pid)
			}
		}
	}
	return ""
}
