package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A write the file system refuses (an immutable -wal file gives EPERM, as
// a volume gone read-only gives EROFS) is the folder that cannot be
// written, not a full disk: SQLite gives both as SQLITE_IOERR_WRITE.
func TestRefusedWriteIsNotAFullDisk(t *testing.T) {
	p := filepath.Join(t.TempDir(), "w.db")
	d, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	if err := d.SetAccount(ctx, "wxa", "oa", ""); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chattr", "+i", p+"-wal").CombinedOutput(); err != nil {
		t.Skipf("this file system or user cannot mark a file immutable: %v %s", err, out)
	}
	defer func() {
		if err := exec.Command("chattr", "-i", p+"-wal").Run(); err != nil {
			t.Errorf("the -wal file stays immutable: %v", err)
		}
	}()
	err = d.SetAccount(ctx, "wxb", "oa", "")
	if !errors.Is(err, ErrReadOnly) || errors.Is(err, ErrDiskFull) {
		t.Fatalf("want ErrReadOnly alone, got %v", err)
	}
}

// lockChild, in a process of its own, holds the database's write lock
// until its stdin closes.
const lockChild = "OAWIZARD_STORE_LOCK_CHILD"

func TestHoldLockInChild(t *testing.T) {
	path := os.Getenv(lockChild)
	if path == "" {
		t.Skip("run by TestLockNamesItsHolder")
	}
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tx, err := d.db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO accounts VALUES ('wxa', 'oa', '', 0)`); err != nil {
		t.Fatal(err)
	}
	fmt.Println("holding")
	bufio.NewReader(os.Stdin).ReadString('\n')
}

// A database another program holds is reported with that program's name
// and pid, never as "another copy of the wizard" on a guess.
func TestLockNamesItsHolder(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc here to find the holder")
	}
	path := filepath.Join(t.TempDir(), "w.db")
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	child := exec.Command(os.Args[0], "-test.run", "^TestHoldLockInChild$")
	child.Env = append(os.Environ(), lockChild+"="+path)
	in, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		in.Close()
		child.Wait()
	}()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "holding") {
		t.Fatalf("the child did not take the lock: %q %v", line, err)
	}
	start := time.Now()
	_, err = Open(path)
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("want a LockError, got %v", err)
	}
	if want := fmt.Sprintf("(pid %d)", child.Process.Pid); !strings.HasSuffix(le.Holder, want) {
		t.Fatalf("holder %q, want one ending %q", le.Holder, want)
	}
	if strings.Contains(err.Error(), "wizard") {
		t.Fatalf("the message guesses who holds it: %v", err)
	}
	t.Logf("reported after %v: %v", time.Since(start).Round(time.Millisecond), err)
}
