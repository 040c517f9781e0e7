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

// What holds a locked database, as far as can be known.
const (
	HeldByWizard  = "wizard"  // another copy of the wizard
	HeldByProgram = "program" // another program, named in Holder
)

// LockError is ErrLocked with what holds the database: By is one of HeldBy…,
// or "" when nothing can be known (then no guess is made); Holder and PID
// name another process.
type LockError struct {
	By     string
	Holder string
	PID    int
	err    error
}

func (e *LockError) Error() string {
	if e.err == nil {
		e.err = ErrLocked
	}
	switch e.By {
	case HeldByWizard:
		return fmt.Sprintf("%v; held by another copy of the wizard, %s (pid %d)", e.err, e.Holder, e.PID)
	case HeldByProgram:
		return fmt.Sprintf("%v; held by %s (pid %d)", e.err, e.Holder, e.PID)
	}
	return e.err.Error()
}

func (e *LockError) Unwrap() error {
	if e.err == nil {
		return ErrLocked
	}
	return e.err
}

// MessageKey is the translation key of the window's words for this lock,
// which take the Holder and the PID.
func (e *LockError) MessageKey() string {
	if e.By == "" {
		return "error.store.in_use" // another program, unnamed: no guess
	}
	return "error.store.locked_by_" + e.By
}

// locked names the holder of a database Open found locked.
func locked(path string, err error) error {
	if !errors.Is(err, ErrLocked) {
		return err
	}
	le := &LockError{err: err}
	le.Holder, le.PID, le.By = holderOf(path)
	return le
}

// named names what holds the database when a write of the import met a
// lock: another process with the file open. This process's own writes
// (the sync's among them) never meet it: they take turns (turn.go).
func (d *DB) named(err error) error {
	var le *LockError
	if !errors.Is(err, ErrLocked) || errors.As(err, &le) {
		return err
	}
	le = &LockError{err: err}
	le.Holder, le.PID, le.By = holderOf(d.path)
	return le
}

// holderOf finds another process with the database (or its -wal or -shm
// file) open, where /proc lists open files (Linux): its name, its pid, and
// whether it is another copy of this program (the same executable or the
// same name) or some other program.
func holderOf(path string) (name string, pid int, by string) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", 0, ""
	}
	want := map[string]bool{abs: true, abs + "-wal": true, abs + "-shm": true}
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return "", 0, ""
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self {
			continue
		}
		dir := filepath.Join("/proc", p.Name())
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if target, err := os.Readlink(filepath.Join(dir, "fd", fd.Name())); err == nil && want[target] {
				return procName(dir), pid, kindOf(dir)
			}
		}
	}
	return "", 0, ""
}

// procName is a process's name as the system shows it.
func procName(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "comm"))
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// kindOf says whether the process in /proc dir runs this program.
func kindOf(dir string) string {
	if exe, err := os.Readlink(filepath.Join(dir, "exe")); err == nil {
		if own, err := os.Readlink("/proc/self/exe"); err == nil && own == exe {
			return HeldByWizard
		}
	}
	if name := procName(dir); name != "?" && name == procName("/proc/self") {
		return HeldByWizard
	}
	return HeldByProgram
}
