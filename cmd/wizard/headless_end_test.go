package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"oawizard/flow/sdkimport/sdkimporttest"
	"oawizard/flow/store"
)

// endReport is what a script reads of a run that did not get to its end.
type endReport struct {
	Status, Stage, Reason, Message string
	Sheets                         []struct {
		Name string
		IDs  int
	}
	SDKImport *struct {
		Sheet string
		Rows  int
	} `json:"sdk_import"`
}

func runEnd(t *testing.T, ctx context.Context, opt headlessOptions) (int, endReport) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runHeadless(ctx, opt, &out, &errb)
	jsonLinesOnly(t, errb.String())
	var rep endReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("no JSON report on stdout (%v): %q\nstderr: %s", err, out.String(), errb.String())
	}
	return code, rep
}

// Ctrl-C still ends with the report, saying the run was stopped.
func TestHeadlessReportOnInterrupt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	code, rep := runEnd(t, ctx, headlessOptions{Scenario: "ok", DataDir: t.TempDir()})
	if code != exitError || rep.Status != "stopped" || rep.Reason != "interrupted" || rep.Stage == "" {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
}

// A database another program holds ends the run with the report, its
// reason the lock, in neutral words.
func TestHeadlessReportOnLockedStore(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "wizard.db")
	d, err := store.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")
	code, rep := runEnd(t, context.Background(), headlessOptions{Scenario: "ok", DataDir: dir})
	if code != exitError || rep.Status != "failed" || rep.Stage != "store" || rep.Reason != "store_locked" {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
}

// -data narrows a folder others could read to this user alone.
func TestDataFolderIsNarrowed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	runEnd(t, ctx, headlessOptions{Scenario: "ok", DataDir: dir})
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	file := filepath.Join(dir, "plain")
	os.WriteFile(file, nil, 0o600)
	if err := privateDir(filepath.Join(file, "sub")); err == nil {
		t.Fatal("a folder under a file was taken for usable")
	}
}

// Two sheets of ids: the run names them and stops; -sheet picks one.
func TestHeadlessSheetFlag(t *testing.T) {
	path := sdkimporttest.TwoSheetWorkbook(t)
	chosen := sdkimporttest.TwoSheets[1]
	code, rep := runEnd(t, context.Background(), headlessOptions{Scenario: "ok", DataDir: t.TempDir(), SDKExport: path})
	if code != exitError || rep.Reason != "sdk_sheet_choice" || len(rep.Sheets) != 2 || rep.Sheets[1].Name != chosen.Name || rep.Sheets[1].IDs != 2*chosen.Users {
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	_, rep = runEnd(t, context.Background(), headlessOptions{Scenario: "ok", DataDir: t.TempDir(), SDKExport: path, Sheet: chosen.Name})
	if rep.Status != "done" || rep.SDKImport == nil || rep.SDKImport.Sheet != chosen.Name || rep.SDKImport.Rows != chosen.Users {
		t.Fatalf("report %+v %+v", rep, rep.SDKImport)
	}
}
