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

// holdLock runs exe (this test binary, or a copy of it under another
// name) holding path's write lock until the test ends.
func holdLock(t *testing.T, exe, path string) *exec.Cmd {
	t.Helper()
	child := exec.Command(exe, "-test.run", "^TestHoldLockInChild$")
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
	t.Cleanup(func() {
		in.Close()
		child.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "holding") {
		t.Fatalf("the child did not take the lock: %q %v", line, err)
	}
	return child
}

func needProc(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc here to find the holder")
	}
}

// A database another copy of the wizard holds is reported as that, with
// its pid.
func TestLockNamesItsHolder(t *testing.T) {
	needProc(t)
	path := filepath.Join(t.TempDir(), "w.db")
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	child := holdLock(t, os.Args[0], path)
	start := time.Now()
	_, err = Open(path)
	var le *LockError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("want a LockError, got %v", err)
	}
	if le.By != HeldByWizard || le.PID != child.Process.Pid {
		t.Fatalf("held by %q, pid %d; want another wizard, pid %d", le.By, le.PID, child.Process.Pid)
	}
	t.Logf("reported after %v: %v", time.Since(start).Round(time.Millisecond), err)
}

// A lock the import meets after the database was opened names its holder
// too: another program by its name, never "another copy of the wizard" on
// a guess.
func TestImportLockNamesAnotherProgram(t *testing.T) {
	needProc(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "w.db")
	d, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "dbbrowser")
	if err := os.WriteFile(other, self, 0o700); err != nil {
		t.Fatal(err)
	}
	child := holdLock(t, other, path)
	_, err = d.BeginImport(context.Background(), SDKImport{FileName: "x.csv"})
	var le *LockError
	if !errors.As(err, &le) || le.By != HeldByProgram || le.Holder != "dbbrowser" || le.PID != child.Process.Pid {
		t.Fatalf("want the lock held by dbbrowser (pid %d), got %v (%+v)", child.Process.Pid, err, le)
	}
	if strings.Contains(err.Error(), "wizard") {
		t.Fatalf("the message guesses the wizard holds it: %v", err)
	}
}
