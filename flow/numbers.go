package flow

import (
	"strconv"
	"time"
)

// Count writes n with thousands separators (3,000,000): the Chinese UI
// groups by thousands with commas as well, as WeChat's own consoles do.
func Count[N ~int | ~int64](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// About says roughly how long d is in words of the chosen language ("约 2
// 秒", "about 2 s"), never Go's "2s": an estimate shown to an admin.
func About(d time.Duration, tf Texts) string {
	switch {
	case d < time.Minute:
		return tf("duration.seconds", map[string]any{"N": max(1, int(d.Round(time.Second)/time.Second))})
	case d < time.Hour:
		return tf("duration.minutes", map[string]any{"N": int(d.Round(time.Minute) / time.Minute)})
	}
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	if m == 0 {
		return tf("duration.hours", map[string]any{"H": h})
	}
	return tf("duration.hours_minutes", map[string]any{"H": h, "M": m})
}
