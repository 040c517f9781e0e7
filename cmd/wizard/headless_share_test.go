package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The headless report carries the share behind step 2's amber badge as a
// number, as the window says it in words.
func TestHeadlessAmberShareIsANumber(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.csv")
	var export strings.Builder
	export.WriteString("openid,unionid\n")
	for i := range 1000 {
		union := ""
		if i < 835 {
			union = fmt.Sprintf("u%027d", i)
		}
		fmt.Fprintf(&export, "o%027d,%s\n", i, union)
	}
	if err := os.WriteFile(path, []byte(export.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	runHeadless(context.Background(), headlessOptions{Scenario: "ok", DataDir: dir, SDKExport: path}, &out, &errb)
	var rep struct {
		Checks []struct {
			ID, Status   string
			SharePercent *float64 `json:"share_percent"`
		}
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	for _, c := range rep.Checks {
		if c.ID == "sdk_unionid" {
			if c.Status != "warning" || c.SharePercent == nil || *c.SharePercent != 83.5 {
				t.Fatalf("sdk_unionid %s, share %v; want warning, 83.5", c.Status, c.SharePercent)
			}
			return
		}
	}
	t.Fatalf("no sdk_unionid check: %s", out.String())
}
