package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

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

// The growth chart's axis groups thousands as the counts above it do: a
// 5,000,000-follower account is not read off as "5000000".
func TestGrowthChartGroupsThousands(t *testing.T) {
	r := flow.Report{Growth: []flow.GrowthDay{{Date: "2026-11-03", Cumulate: 4990000}, {Date: "2026-12-02", Cumulate: 5000000}}}
	var texts []string
	walkObjects(onUI(func() fyne.CanvasObject { return growthChart(r) }), func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	})
	got := strings.Join(texts, " | ")
	for _, want := range []string{"5,000,000", "4,990,000"} {
		if !strings.Contains(got, want) {
			t.Errorf("the chart's labels %q do not show %s", got, want)
		}
	}
	if strings.Contains(got, "5000000") {
		t.Errorf("the chart's labels %q show an ungrouped count", got)
	}
}
