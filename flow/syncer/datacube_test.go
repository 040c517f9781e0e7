package syncer

import (
	"testing"
	"time"
)

func TestLastDatacubeDayWaitsForEightAM(t *testing.T) {
	// 07:59 and 08:00 Beijing time on 2026-11-25.
	before := time.Date(2026, 11, 24, 23, 59, 0, 0, time.UTC)
	after := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	if got := LastDatacubeDay(before).Format(time.DateOnly); got != "2026-11-23" {
		t.Errorf("before 08:00: %s, want 2026-11-23", got)
	}
	if got := LastDatacubeDay(after).Format(time.DateOnly); got != "2026-11-24" {
		t.Errorf("after 08:00: %s, want 2026-11-24", got)
	}
}

func TestWindowsCoverEveryDayInSevens(t *testing.T) {
	last := time.Date(2026, 11, 24, 0, 0, 0, 0, chinaTime)
	w := Windows(last, 30)
	if len(w) != 5 {
		t.Fatalf("30 days in %d windows, want 5: %v", len(w), w)
	}
	if w[0][0] != "2026-10-26" || w[4][1] != "2026-11-24" {
		t.Fatalf("range %s..%s", w[0][0], w[4][1])
	}
	for i, x := range w {
		a, b := parseDay(x[0]), parseDay(x[1])
		if span := int(b.Sub(a).Hours()/24) + 1; span > 7 || span < 1 {
			t.Errorf("window %d spans %d days", i, span)
		}
		if i > 0 && parseDay(w[i-1][1]).AddDate(0, 0, 1) != a {
			t.Errorf("gap or overlap before window %d", i)
		}
	}
}
