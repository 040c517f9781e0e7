package wechatsim

import (
	"net/http"
	"time"
)

// Datacube user analysis (§6.4): at most 7 days per call, end no later than
// yesterday (China time), nothing before 2014-12-01; anything else is 61501.
// Figures are fixed per account and day, and the cumulate series is
// consistent with the summary: it ends yesterday at the follower count and
// each day differs from the one before by new_user − cancel_user.

var datacubeStart = time.Date(2014, 12, 1, 0, 0, 0, 0, chinaTime)

// userSources are user_source values a summary spreads new followers over.
var userSources = []int{0, 1, 17, 30, 57, 100, 161, 149}

// dayFigures are one day's new and cancelled followers per source.
func (a *Account) dayFigures(day time.Time) (news, cancels []int) {
	_, key := accountTag(a.AppID)
	base := max(1, a.Followers/2000)
	d := uint64(day.Unix() / 86400)
	for k := range userSources {
		h := mix64(key ^ d<<8 ^ uint64(k))
		news = append(news, int(h%uint64(base+1))/(k+1))
		cancels = append(cancels, int((h>>20)%uint64(base/3+1))/(k+1))
	}
	return news, cancels
}

func (a *Account) net(day time.Time) int {
	n, c := a.dayFigures(day)
	total := 0
	for k := range n {
		total += n[k] - c[k]
	}
	return total
}

func (s *Server) datacubeRange(r *http.Request) (*Account, time.Time, time.Time, time.Time, *apiErr) {
	var zero time.Time
	_, a, e := s.accountCall(r, 2)
	if e != nil {
		return nil, zero, zero, zero, e
	}
	if e := userAPIAllowed(a); e != nil {
		return nil, zero, zero, zero, e
	}
	var req struct {
		Begin string `json:"begin_date"`
		End   string `json:"end_date"`
	}
	if e := decodeBody(r, &req); e != nil {
		return nil, zero, zero, zero, e
	}
	begin, err1 := time.ParseInLocation("2006-01-02", req.Begin, chinaTime)
	end, err2 := time.ParseInLocation("2006-01-02", req.End, chinaTime)
	now := s.clk.Now().In(chinaTime)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, chinaTime)
	yesterday := today.AddDate(0, 0, -1)
	if err1 != nil || err2 != nil || end.Before(begin) || end.After(yesterday) ||
		begin.Before(datacubeStart) || end.Sub(begin) > 6*24*time.Hour {
		return nil, zero, zero, zero, errf(61501, "date range error")
	}
	if e := s.spend(a, r.URL.Path); e != nil {
		return nil, zero, zero, zero, e
	}
	// Yesterday's figures appear only after 08:00 China time.
	last := yesterday
	if now.Hour() < 8 {
		last = yesterday.AddDate(0, 0, -1)
	}
	return a, begin, end, last, nil
}

func (s *Server) handleUserSummary(r *http.Request) (any, *apiErr) {
	a, begin, end, last, e := s.datacubeRange(r)
	if e != nil {
		return nil, e
	}
	list := []map[string]any{}
	for d := begin; !d.After(end) && !d.After(last); d = d.AddDate(0, 0, 1) {
		news, cancels := a.dayFigures(d)
		for k, src := range userSources {
			if news[k] == 0 && cancels[k] == 0 {
				continue
			}
			list = append(list, map[string]any{"ref_date": d.Format("2006-01-02"), "user_source": src, "new_user": news[k], "cancel_user": cancels[k]})
		}
	}
	return map[string]any{"list": list}, nil
}

func (s *Server) handleUserCumulate(r *http.Request) (any, *apiErr) {
	a, begin, end, last, e := s.datacubeRange(r)
	if e != nil {
		return nil, e
	}
	// Walk back from the last published day, whose total is today's count.
	total := a.Followers
	for d := last; d.After(end); d = d.AddDate(0, 0, -1) {
		total -= a.net(d)
	}
	end = minTime(end, last)
	var rev []map[string]any
	for d := end; !d.Before(begin); d = d.AddDate(0, 0, -1) {
		rev = append(rev, map[string]any{"ref_date": d.Format("2006-01-02"), "user_source": 0, "cumulate_user": max(0, total)})
		total -= a.net(d)
	}
	list := make([]map[string]any, 0, len(rev))
	for i := len(rev) - 1; i >= 0; i-- {
		list = append(list, rev[i])
	}
	return map[string]any{"list": list}, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
