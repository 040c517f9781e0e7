package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runChild runs the wizard with args and the environment's extra values,
// returning its exit code and stderr.
func runChild(t *testing.T, args string, env ...string) (int, string) {
	t.Helper()
	cmd := child(args)
	cmd.Env = append(cmd.Env, env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), errb.String()
}

func jsonLinesOnly(t *testing.T, stderr string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if line != "" && !json.Valid([]byte(line)) {
			t.Fatalf("headless stderr has a line that is not JSON: %q\n%s", line, stderr)
		}
	}
}

func TestNegativeCountsAreRefused(t *testing.T) {
	for _, c := range []struct{ args, flag string }{
		{"-headless -followers -5", "-followers"},
		{"-headless -workers -3", "-workers"},
		{"-followers -5 -demo-export " + filepath.Join(t.TempDir(), "x.csv"), "-followers"},
	} {
		code, stderr := runChild(t, c.args)
		if code != exitError || !strings.Contains(stderr, c.flag) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 naming %s", c.args, code, stderr, c.flag)
		}
		if strings.HasPrefix(c.args, "-headless") {
			jsonLinesOnly(t, stderr)
		}
	}
}

func TestHeadlessStderrIsJSONUnderCLocale(t *testing.T) {
	code, stderr := runChild(t, "-headless -workers -1", "LANG=C.UTF-8", "LC_ALL=", "LC_MESSAGES=", "LANGUAGE=")
	if code != exitError || stderr == "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	jsonLinesOnly(t, stderr)
}

func TestHeadlessImportReportsProgressAndSkippedRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	if err := writeDemoExport("ok", 0, path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(b), "\n")
	lines[10] = `"` + lines[10] // a hand-edited cell whose quote never closes
	lines[20] = "\n"
	lines[30] = "not-an-id,x,y,z\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)

	var out, errb bytes.Buffer
	runHeadless(context.Background(), headlessOptions{Scenario: "ok", DataDir: dir, SDKExport: path}, &out, &errb)
	jsonLinesOnly(t, errb.String())
	var rep struct {
		SDKImport struct {
			Rows, Skipped      int
			MalformedOpenID    int   `json:"malformed_openid"`
			UnclosedQuoteLines []int `json:"unclosed_quote_lines"`
		} `json:"sdk_import"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	r := rep.SDKImport
	if r.Rows != 4999 || r.Skipped != 1 || r.MalformedOpenID != 1 || len(r.UnclosedQuoteLines) != 1 || r.UnclosedQuoteLines[0] != 11 {
		t.Fatalf("import report %+v: want 4,999 rows read, 1 skipped (bad openid), the quote at line 11", r)
	}
	if !strings.Contains(errb.String(), `"event":"sdk_progress"`) {
		t.Fatalf("no import progress on stderr:\n%s", errb.String())
	}
}

func TestHeadlessFolderAsExport(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	code := runHeadless(context.Background(), headlessOptions{Scenario: "ok", DataDir: dir, SDKExport: dir}, &out, &errb)
	if code != exitError || !strings.Contains(errb.String(), "folder") {
		t.Fatalf("exit %d, stderr %s", code, errb.String())
	}
}
