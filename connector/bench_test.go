package connector

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchStack is the demo stack with the OA authorized, for benchmarks.
func benchStack(b *testing.B) *stack {
	st := startStack(b, "ok", nil)
	st.authorize(st.d.Scenario.OAAppID)
	return st
}

// measure runs b.N requests from 16 goroutines and reports req/s and p99.
func measure(b *testing.B, req func() *http.Request) {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	var mu sync.Mutex
	lat := make([]time.Duration, 0, b.N)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			resp, err := hc.Do(req())
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
			d := time.Since(start)
			mu.Lock()
			lat = append(lat, d)
			mu.Unlock()
		}
	})
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "req/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkRelayBatchGet relays user/info/batchget of 100 openids: the
// sync's main call, through connector and simulator.
func BenchmarkRelayBatchGet(b *testing.B) {
	st := benchStack(b)
	oa := st.d.Scenario.OAAppID
	var ids []string
	for i := 0; i < 100; i++ {
		ids = append(ids, `{"openid":"`+st.d.Sim.FollowerOpenID(oa, i)+`"}`)
	}
	body := `{"user_list":[` + strings.Join(ids, ",") + `]}`
	measure(b, func() *http.Request {
		r, _ := http.NewRequest("POST", st.d.URL+"/v1/accounts/"+oa+"/wechat/cgi-bin/user/info/batchget", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
		return r
	})
}

// BenchmarkSessionStatus reads a session's status (a long-poll that answers
// at once), what every waiting wizard does.
func BenchmarkSessionStatus(b *testing.B) {
	st := benchStack(b)
	s := st.newSession(st.d.Scenario.OAAppID)
	measure(b, func() *http.Request {
		r, _ := http.NewRequest("GET", st.d.URL+"/v1/authorizations/"+s.ID+"?wait=25s&since=0", nil)
		r.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
		return r
	})
}
