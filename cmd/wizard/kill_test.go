package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"oawizard/flow/store"
	"oawizard/wechat/wechatsim"
)

// TestMain lets the test binary stand in for the wizard: with
// OAWIZARD_CHILD set it runs the command with those arguments, so a test
// can start the real program and kill it.
func TestMain(m *testing.M) {
	if args := os.Getenv("OAWIZARD_CHILD"); args != "" {
		os.Args = append([]string{"wizard"}, strings.Fields(args)...)
		os.Exit(run())
	}
	os.Exit(m.Run())
}

func child(args string) *exec.Cmd {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "OAWIZARD_CHILD="+args)
	return cmd
}

// A wizard killed with SIGKILL in the middle of a sync loses nothing: the
// next run resumes from the checkpoint and ends with exactly every follower,
// each once.
func TestKilledSyncResumesExactly(t *testing.T) {
	const n = 200000
	dir := t.TempDir()
	args := "-headless -scenario ok -followers 200000 -workers 4 -data " + dir

	cmd := child(args)
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	killed := false
	for sc.Scan() {
		var ev struct {
			Event    string
			Progress struct{ Stored int64 }
		}
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Event == "sync" && ev.Progress.Stored >= 30000 {
			cmd.Process.Kill()
			killed = true
			break
		}
	}
	cmd.Wait()
	if !killed {
		t.Fatal("the sync ended before it could be killed")
	}
	db, err := store.Open(filepath.Join(dir, "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := db.FollowerStats(context.Background(), wechatsim.DemoOAAppID)
	db.Close()
	if before.Total == 0 || before.Total >= n {
		t.Fatalf("after the kill %d followers are stored", before.Total)
	}

	out, err := child(args).Output()
	if err != nil && !strings.Contains(err.Error(), "exit status 1") {
		t.Fatalf("second run: %v", err)
	}
	var rep struct {
		Sync struct {
			Status    string
			Followers int64
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("second run's report: %v: %s", err, out)
	}
	if rep.Sync.Status != "done" || rep.Sync.Followers != n {
		t.Fatalf("after resuming: %+v", rep.Sync)
	}
	db, _ = store.Open(filepath.Join(dir, "wizard.db"))
	defer db.Close()
	run, _, _ := db.LastRun(context.Background(), wechatsim.DemoOAAppID)
	// One run, resumed: its checkpoint counted every follower exactly once.
	if run.ID != 1 || run.Rows != n || run.Status != "done" {
		t.Fatalf("run %+v", run)
	}
	fs, _ := db.FollowerStats(context.Background(), wechatsim.DemoOAAppID)
	if fs.Total != n {
		t.Fatalf("%d followers stored, want %d", fs.Total, n)
	}
}
