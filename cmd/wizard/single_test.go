package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/cmd/wizard/internal/instance"
)

// A second wizard on a data folder another one holds is refused at once,
// changes none of the folder's files, and the first runs on to a whole
// sync as if it were alone.
func TestASecondWizardOnOneFolderChangesNothing(t *testing.T) {
	const n = 100000
	dir := t.TempDir()
	args := "-headless -scenario ok -followers 100000 -workers 2 -data " + dir
	first := child(args)
	var out bytes.Buffer
	first.Stdout = &out
	stderr, err := first.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"event":"sync"`) {
			break
		}
	}
	refused(t, args)
	// The first's progress lines must keep flowing, or it would block.
	go func() {
		for sc.Scan() {
		}
	}()
	// Exit 1 is a verdict (step 2 was skipped), not a failure to run.
	if err := first.Wait(); err != nil && first.ProcessState.ExitCode() != exitFailed {
		t.Fatalf("the first wizard: %v: %s", err, out.Bytes())
	}
	var rep struct {
		Sync struct {
			Status    string
			Followers int64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Sync.Status != "done" || rep.Sync.Followers != n {
		t.Fatalf("the first wizard's sync beside the refused second: %+v, %v", rep.Sync, err)
	}

	// An open window holds the folder as the test does now: a second start
	// leaves every file as it was, to the byte.
	lock, err := instance.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	before := folderHashes(t, dir)
	refused(t, args)
	refused(t, "-headless -scenario ok -connector http://127.0.0.1:9 -appid wx0123456789abcdef -data "+dir)
	if after := folderHashes(t, dir); !equalMaps(before, after) {
		t.Fatalf("a refused start changed the folder:\nbefore %v\nafter  %v", before, after)
	}
}

// refused runs the wizard with args and fails unless it exits at once
// saying the folder is in use.
func refused(t *testing.T, args string) {
	t.Helper()
	var stderr bytes.Buffer
	second := child(args)
	second.Stderr = &stderr
	err := second.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("second wizard: %v, want exit %d", err, exitError)
	}
	var line struct{ Event, Stage, Error string }
	if jerr := json.Unmarshal(stderr.Bytes(), &line); jerr != nil || line.Stage != "data" || !strings.Contains(line.Error, instance.ErrInUse.Error()) {
		t.Fatalf("second wizard said %q", stderr.String())
	}
}

// folderHashes is each file under dir with its content's hash.
func folderHashes(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		m[p] = sha256.Sum256(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func equalMaps(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// A second launch with a window on a folder whose window serves brings
// that window forward and ends at once, successfully, changing none of the
// folder's files; the first's requests arrive through serveForward.
func TestASecondLaunchBringsTheFirstWindowForward(t *testing.T) {
	dir := t.TempDir()
	lock, err := instance.Acquire(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	var said bytes.Buffer
	forward := serveForward(lock, &said)
	if forward == nil {
		t.Fatalf("serving: %s", said.String())
	}
	before := folderHashes(t, dir)
	var stderr bytes.Buffer
	second := child("-data " + dir)
	second.Stderr = &stderr
	if err := second.Run(); err != nil {
		t.Fatalf("second launch: %v: %s", err, stderr.String())
	}
	select {
	case <-forward:
	case <-time.After(10 * time.Second):
		t.Fatalf("the first window was not asked to come forward; the second said %q", stderr.String())
	}
	if after := folderHashes(t, dir); !equalMaps(before, after) {
		t.Fatalf("the second launch changed the folder:\nbefore %v\nafter  %v", before, after)
	}
}
