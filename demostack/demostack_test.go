package demostack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// The window's demo keeps its connector database in the wizard's data
// folder: nothing goes to the system's temp folder, and a restart begins
// from an empty connector, as the simulated WeChat does.
func TestDemoStateLivesInTheDataFolder(t *testing.T) {
	tmp, dir := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for run := range 2 {
		st, err := Start(context.Background(), "ok", Options{Followers: 10, Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(dir, "demo-connector.db")); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if run == 1 {
			if tokens, err := st.Demo().Store.ProjectTokens(context.Background()); err != nil || len(tokens) != 1 {
				t.Fatalf("a restarted demo kept %d project tokens (%v); want a fresh database", len(tokens), err)
			}
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("left in the temp folder: %v", left)
	}
}
