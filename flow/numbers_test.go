package flow

import (
	"fmt"
	"testing"
	"time"
)

func TestCountGroupsThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 3000000: "3,000,000", 123456789: "123,456,789", -4500: "-4,500"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestAboutSaysDurationsInWords(t *testing.T) {
	tf := func(k string, d map[string]any) string { return fmt.Sprintf("%s %v", k, d) }
	for d, want := range map[time.Duration]string{
		1400 * time.Millisecond:       "duration.seconds map[N:1]",
		200 * time.Millisecond:        "duration.seconds map[N:1]",
		59 * time.Second:              "duration.seconds map[N:59]",
		90 * time.Second:              "duration.minutes map[N:2]",
		2 * time.Hour:                 "duration.hours map[H:2]",
		2*time.Hour + 5*time.Minute:   "duration.hours_minutes map[H:2 M:5]",
		25*time.Hour + 59*time.Second: "duration.hours_minutes map[H:25 M:1]",
	} {
		if got := About(d, tf); got != want {
			t.Errorf("About(%s) = %q, want %q", d, got, want)
		}
	}
}
