// Package instance keeps one wizard per data folder. Two wizards on one
// folder both write its database and its demo stack's files: the second
// one's start drops the first's unfinished import and its sync overwrites
// the first's state, which the first then reads as damaged. The lock is an
// OS file lock, so it ends with the process however that ends (a crash, a
// kill) and never needs cleaning up by hand.
package instance

import (
	"errors"
	"net"
	"os"
	"path/filepath"
)

// FileName is the lock file in the data folder. It stays when the wizard
// ends: only the lock on it means something, never its existence.
const FileName = "wizard.lock"

// ErrInUse says another process holds the data folder.
var ErrInUse = errors.New("the data folder is in use by another wizard")

// Lock holds a data folder for this process.
type Lock struct {
	f   *os.File
	dir string
	ln  net.Listener // set while it serves later launches
}

// Acquire takes the data folder dir for this process, or returns ErrInUse
// at once when another process (or another Acquire) holds it. It changes
// nothing in dir but creating an empty lock file the first time.
func Acquire(dir string) (*Lock, error) {
	f, err := os.OpenFile(filepath.Join(dir, FileName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := lockFile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return &Lock{f: f, dir: dir}, nil
}

// Release gives the folder up; closing the file ends the lock. A later
// launch no longer finds an address to ask.
func (l *Lock) Release() error {
	var err error
	if l.ln != nil {
		err = errors.Join(l.ln.Close(), os.Remove(filepath.Join(l.dir, AddrFile)))
	}
	return errors.Join(err, l.f.Close())
}
