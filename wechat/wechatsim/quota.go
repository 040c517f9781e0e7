package wechatsim

import (
	"net/http"
	"time"
)

// Quotas are per account, per API, per day (reset at midnight China time) and
// optionally per minute, and third-party calls spend the account's own quota
// (§6.3). One batchget call counts once: whether WeChat counts it once or per
// openid is not documented.

var chinaTime = time.FixedZone("CST", 8*3600)

type quotaLimit struct{ daily, perMinute int }

type quotaBook struct {
	limits map[string]quotaLimit // appid|path
	used   map[string]int        // appid|path|day
	minute map[string]int        // appid|path|minute
	// platform counts api_component_token calls (component appid|day)
	// against platformDaily (0 = no cap); not saved with the state.
	platform      map[string]int
	platformDaily int
}

func newQuotaBook() quotaBook {
	return quotaBook{limits: map[string]quotaLimit{}, used: map[string]int{}, minute: map[string]int{}, platform: map[string]int{}}
}

// quotaPaths are the cgi_paths openapi/quota/get answers for, with WeChat's
// default daily caps for a new account (§6.3; API_Call_Limits.html: 获取关注者
// 列表 500 a day). The page says large accounts get more but gives no
// figure, so user/get keeps the documented 500: 5 million followers a day.
var quotaPaths = map[string]int{
	"/cgi-bin/user/get":                    500,
	"/cgi-bin/user/info":                   5000000,
	"/cgi-bin/user/info/batchget":          5000000,
	"/datacube/getusersummary":             5000,
	"/datacube/getusercumulate":            5000,
	"/cgi-bin/account/getaccountbasicinfo": 10000,
	"/cgi-bin/open/get":                    10000,
	"/cgi-bin/open/have":                   10000,
}

// SetQuota overrides an account's daily and per-minute cap for a path (0 keeps
// the default daily cap; perMinute 0 = no per-minute cap).
func (s *Server) SetQuota(appid, path string, daily, perMinute int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas.limits[appid+"|"+path] = quotaLimit{daily: daily, perMinute: perMinute}
}

// limit is the cap in force. Callers hold s.mu.
func (s *Server) limit(a *Account, path string) quotaLimit {
	l := s.quotas.limits[a.AppID+"|"+path]
	if l.daily == 0 {
		l.daily = quotaPaths[path]
	}
	return l
}

func dayKey(t time.Time) string { return t.In(chinaTime).Format("2006-01-02") }

// spend charges one call to the account's quota for path, answering 45009
// when the day's cap is used up and 45011 when the minute's is.
func (s *Server) spend(a *Account, path string) *apiErr {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.clk.Now()
	l := s.limit(a, path)
	dk := a.AppID + "|" + path + "|" + dayKey(now)
	if s.quotas.used[dk] >= l.daily {
		return errf(45009, "reach max api daily quota limit")
	}
	if l.perMinute > 0 {
		mk := a.AppID + "|" + path + "|" + now.In(chinaTime).Format("2006-01-02T15:04")
		if s.quotas.minute[mk] >= l.perMinute {
			return errf(45011, "api minute-quota reach limit, must slower, retry next minute")
		}
		s.quotas.minute[mk]++
	}
	s.quotas.used[dk]++
	return nil
}

func (s *Server) handleQuotaGet(r *http.Request) (any, *apiErr) {
	_, a, e := s.accountCall(r, 0)
	if e != nil {
		return nil, e
	}
	var req struct {
		CGIPath string `json:"cgi_path"`
	}
	if e := decodeBody(r, &req); e != nil {
		return nil, e
	}
	if _, ok := quotaPaths[req.CGIPath]; !ok {
		return nil, errf(76021, "cgi_path not found, please check")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.limit(a, req.CGIPath)
	used := s.quotas.used[a.AppID+"|"+req.CGIPath+"|"+dayKey(s.clk.Now())]
	rate := map[string]int{"call_count": l.perMinute, "refresh_second": 60}
	return map[string]any{
		"errcode": 0, "errmsg": "ok",
		"quota":                map[string]int{"daily_limit": l.daily, "used": used, "remain": max(0, l.daily-used)},
		"rate_limit":           rate,
		"component_rate_limit": rate,
	}, nil
}

// SetComponentTokenQuota caps api_component_token calls a day for every
// platform (0 = no cap): the platform's own quota, not an account's
// (reference §1.4 lists 45009 for the call). The docs give no figure, so there is no cap
// unless a test or a demo sets one.
func (s *Server) SetComponentTokenQuota(daily int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.quotas.platformDaily = daily
}

// spendComponentToken counts one token call of a platform, capped or not,
// so a cap set later counts the calls made before. Callers hold s.mu.
func (s *Server) spendComponentToken(componentAppID string) *apiErr {
	dk := componentAppID + "|" + dayKey(s.clk.Now())
	if s.quotas.platformDaily > 0 && s.quotas.platform[dk] >= s.quotas.platformDaily {
		return errf(45009, "reach max api daily quota limit")
	}
	s.quotas.platform[dk]++
	return nil
}
