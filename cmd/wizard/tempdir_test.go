package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// A clean headless exit leaves the system's temp folder as it found it: the
// run's databases lived there and must be gone, not merely closed.
func TestHeadlessLeavesNothingInTemp(t *testing.T) {
	tmp := t.TempDir()
	cmd := child("-headless -scenario ok -followers 2000 -workers 2")
	cmd.Env = append(cmd.Env, "TMPDIR="+tmp)
	out, err := cmd.Output()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == exitFailed) {
		t.Fatalf("headless run: %v", err)
	}
	var r parsedReport
	if err := json.Unmarshal(out, &r); err != nil || r.Sync.Followers != 2000 {
		t.Fatalf("report %+v (%v): %s", r, err, out)
	}
	left, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range left {
		t.Errorf("left in the temp folder: %s", filepath.Join(tmp, e.Name()))
	}
}

func TestRemoveTempDirRemovesTheTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.MkdirAll(filepath.Join(dir, "a", "b"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"wizard.db", "a/connector.db", "a/b/c"} {
		if err := os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeTempDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("still there: %v", err)
	}
}
