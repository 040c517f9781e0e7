package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"oawizard/flow/store"
)

// A lock that stops the import ends the report naming what held the
// database, as a field a script can act on and in the message.
func TestHeadlessReportNamesTheLockHolder(t *testing.T) {
	for _, c := range []struct {
		err           error
		by, inMessage string
	}{
		{&store.LockError{By: store.HeldByWizard, Holder: "wizard", PID: 41}, "wizard", "another copy of the wizard, wizard (pid 41)"},
		{&store.LockError{By: store.HeldByProgram, Holder: "dbbrowser", PID: 42}, "program", "dbbrowser (pid 42)"},
		{&store.LockError{}, "", "locked"},
	} {
		var rep headlessReport
		var out bytes.Buffer
		rep.abort(context.Background(), "sdk", fmt.Errorf("import: %w", c.err), &out)
		var got struct {
			Reason, Message string
			HeldBy          string `json:"held_by"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Reason != "store_locked" || got.HeldBy != c.by || !strings.Contains(got.Message, c.inMessage) {
			t.Errorf("%+v: report %+v; want held_by %q, a message naming %q", c.err, got, c.by, c.inMessage)
		}
	}
}
