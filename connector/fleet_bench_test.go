package connector

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"oawizard/wechat/wechatsim"
)

// BenchmarkFleet compares the relayed batchget and the session status on
// one SQLite instance, one PostgreSQL instance, and two PostgreSQL
// instances behind a loopback round-robin proxy:
//
//	scripts/with-postgres.sh go test -run '^$' -bench '^BenchmarkFleet$' ./connector/
func BenchmarkFleet(b *testing.B) {
	type target struct{ url, token, oa, session, batch string }
	setups := []struct {
		name string
		up   func(b *testing.B) target
	}{
		{"sqlite-1", func(b *testing.B) target {
			st := benchStack(b)
			s := st.newSession(st.d.Scenario.OAAppID)
			return target{st.d.URL, st.d.ProjectToken, st.d.Scenario.OAAppID, s.ID, batchgetBody(st.d.Sim, st.d.Scenario.OAAppID)}
		}},
		{"postgres-1", func(b *testing.B) target {
			p, oa, id := benchPair(b)
			return target{p.url[0], p.token, oa, id, batchgetBody(p.sim, oa)}
		}},
		{"postgres-2-roundrobin", func(b *testing.B) target {
			p, oa, id := benchPair(b)
			var next atomic.Uint64
			var ups [2]*url.URL
			for i := range ups {
				ups[i], _ = url.Parse(p.url[i])
			}
			rp := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
				r.SetURL(ups[next.Add(1)%2])
			}, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			hs := httptest.NewServer(rp)
			b.Cleanup(hs.Close)
			return target{hs.URL, p.token, oa, id, batchgetBody(p.sim, oa)}
		}},
	}
	for _, su := range setups {
		b.Run(su.name+"/batchget", func(b *testing.B) {
			tg := su.up(b)
			measure(b, func() *http.Request {
				r, _ := http.NewRequest("POST", tg.url+"/v1/accounts/"+tg.oa+"/wechat/cgi-bin/user/info/batchget", strings.NewReader(tg.batch))
				r.Header.Set("Authorization", "Bearer "+tg.token)
				return r
			})
		})
		b.Run(su.name+"/session-status", func(b *testing.B) {
			tg := su.up(b)
			measure(b, func() *http.Request {
				r, _ := http.NewRequest("GET", tg.url+"/v1/authorizations/"+tg.session+"?wait=25s&since=0", nil)
				r.Header.Set("Authorization", "Bearer "+tg.token)
				return r
			})
		})
	}
}

func benchPair(b *testing.B) (*pair, string, string) {
	p := startPair(b)
	oa := p.sim.Scenario().OAAppID
	p.authorize(oa)
	s := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": oa})
	return p, oa, s.ID
}

// batchgetBody asks for 100 followers, as the sync does.
func batchgetBody(sim *wechatsim.Server, oa string) string {
	var ids []string
	for i := 0; i < 100; i++ {
		ids = append(ids, `{"openid":"`+sim.FollowerOpenID(oa, i)+`"}`)
	}
	return `{"user_list":[` + strings.Join(ids, ",") + `]}`
}
