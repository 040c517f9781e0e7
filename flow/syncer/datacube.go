package syncer

import (
	"context"
	"time"

	"oawizard/wechat"
)

// DatacubeAPI is the part of the client the follower-growth chart needs.
type DatacubeAPI interface {
	UserSummary(ctx context.Context, token, begin, end string) ([]wechat.UserSummary, error)
	UserCumulate(ctx context.Context, token, begin, end string) ([]wechat.UserCumulate, error)
}

// DayStats is one day of follower growth.
type DayStats struct {
	Date       string // yyyy-MM-dd, China time
	NewUser    int
	CancelUser int
	Cumulate   int
	HasTotal   bool
}

// ReadyHour is when WeChat has finished yesterday's datacube numbers.
const ReadyHour = 8

// LastDatacubeDay is the newest day datacube can answer for at now: yesterday,
// or the day before until 08:00 China time, when yesterday's data is not yet
// complete.
func LastDatacubeDay(now time.Time) time.Time {
	t := now.In(chinaTime)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chinaTime).AddDate(0, 0, -1)
	if t.Hour() < ReadyHour {
		day = day.AddDate(0, 0, -1)
	}
	return day
}

// Windows splits the days ending at last into spans of at most seven days
// (WeChat's limit; more is 61501), oldest first.
func Windows(last time.Time, days int) [][2]string {
	var out [][2]string
	first := last.AddDate(0, 0, -(days - 1))
	for start := first; !start.After(last); start = start.AddDate(0, 0, wechat.MaxDatacubeDays) {
		end := start.AddDate(0, 0, wechat.MaxDatacubeDays-1)
		if end.After(last) {
			end = last
		}
		out = append(out, [2]string{start.Format(time.DateOnly), end.Format(time.DateOnly)})
	}
	return out
}

// FetchGrowth reads summary and cumulate for the last days days, merged per
// day. The summary is per source, so sources are added up.
func FetchGrowth(ctx context.Context, api DatacubeAPI, now time.Time, days int) ([]DayStats, error) {
	byDate := map[string]*DayStats{}
	var order []string
	get := func(d string) *DayStats {
		if s, ok := byDate[d]; ok {
			return s
		}
		s := &DayStats{Date: d}
		byDate[d] = s
		order = append(order, d)
		return s
	}
	for _, w := range Windows(LastDatacubeDay(now), days) {
		sum, err := api.UserSummary(ctx, "", w[0], w[1])
		if err != nil {
			return nil, err
		}
		cum, err := api.UserCumulate(ctx, "", w[0], w[1])
		if err != nil {
			return nil, err
		}
		// Days with no change have no summary row; list every day once.
		for d := parseDay(w[0]); !d.After(parseDay(w[1])); d = d.AddDate(0, 0, 1) {
			get(d.Format(time.DateOnly))
		}
		for _, r := range sum {
			s := get(r.RefDate)
			s.NewUser += r.NewUser
			s.CancelUser += r.CancelUser
		}
		for _, r := range cum {
			s := get(r.RefDate)
			s.Cumulate, s.HasTotal = r.CumulateUser, true
		}
	}
	out := make([]DayStats, 0, len(order))
	for _, d := range order {
		out = append(out, *byDate[d])
	}
	return out, nil
}

func parseDay(s string) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, s, chinaTime)
	return t
}
