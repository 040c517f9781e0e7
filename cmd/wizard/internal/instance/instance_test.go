package instance

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A second hold on a folder is refused while the first lasts, leaves the
// folder's files as they were, and succeeds once the first is released.
func TestOneHolderPerFolder(t *testing.T) {
	dir := t.TempDir()
	first, err := Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "wizard.db")
	if err := os.WriteFile(db, []byte("state"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Acquire(dir); !errors.Is(err, ErrInUse) {
		t.Fatalf("second hold: %v, want ErrInUse", err)
	}
	if b, err := os.ReadFile(db); err != nil || string(b) != "state" {
		t.Fatalf("after the refused hold the folder's file reads %q, %v", b, err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(dir)
	if err != nil {
		t.Fatalf("after the release: %v", err)
	}
	if err := again.Release(); err != nil {
		t.Fatal(err)
	}
}

// Other folders are not held.
func TestFoldersAreIndependent(t *testing.T) {
	a, err := Acquire(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := Acquire(t.TempDir())
	if err != nil {
		t.Fatalf("another folder: %v", err)
	}
	b.Release()
}
