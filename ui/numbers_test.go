package ui

import (
	"strings"
	"testing"
	"time"

	"oawizard/flow"
)

// The sync page groups thousands and says the time left in words of the
// chosen language, never Go's "2s".
func TestSyncCountsAndTimeLeftReadAsWords(t *testing.T) {
	for l, want := range map[string][]string{
		LangZH: {"1,234,567 / 3,000,000", "带 unionid 1,000,000", "约 2 秒"},
		LangEN: {"1,234,567 of 3,000,000", "1,000,000 with unionid", "about 2 s left"},
	} {
		a, _ := openDemo(t, l, "ok")
		txt := onUI(func() string {
			p := newSyncPage(a)
			p.cancel = func() {} // a sync is running
			p.progress(flow.SyncLive{Phase: "followers", Stored: 1234567, Total: 3000000, WithUnionID: 1000000, ETA: 1600 * time.Millisecond})
			return p.counts.Text
		})
		for _, w := range want {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: %q lacks %q", l, txt, w)
			}
		}
		if strings.Contains(txt, "2s") || strings.Contains(txt, "about about") {
			t.Errorf("%s: %q", l, txt)
		}
	}
}
