package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/connector/api"
)

// The soak runs only when asked (scripts/soak-connector.sh):
//
//	go test -run '^$' -bench '^BenchmarkSoak$' -benchtime 1x ./connector/ -soak 3m
var (
	soakFor     = flag.Duration("soak", 0, "run BenchmarkSoak for this long, e.g. 3m")
	soakPollers = flag.Int("soak-pollers", 300, "concurrent long-polls in BenchmarkSoak")
	soakMakers  = flag.Int("soak-creators", 8, "concurrent session creators in BenchmarkSoak")
)

// BenchmarkSoak drives session creation, landing visits and long-polls
// against a connector (sessions live 30 s and are kept 30 s, so that steady
// state shows within minutes) and prints the database size, the WAL size, open
// file handles and RSS at intervals: all four should level off after the
// warm-up.
func BenchmarkSoak(b *testing.B) {
	if *soakFor <= 0 {
		b.Skip("set -soak=3m to run the soak")
	}
	st := startStack(b, "ok", nil)
	cfg := st.d.Connector.cfg
	cfg.RateLimit, cfg.PublicRateLimit = -1, -1
	// Sessions live 30 s and are kept 30 s after, so deletion (and with it
	// steady state) starts a minute in.
	cfg.SessionTTL, cfg.Retention, cfg.MaintainEvery = 30*time.Second, 30*time.Second, 10*time.Second
	srv, err := New(cfg, st.d.Store)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *soakFor)
	defer cancel()

	var c soakCounters
	wg := c.drive(ctx, hs.URL, st.d.ProjectToken, st.d.Scenario.OAAppID)
	path := st.d.Store.path
	report := func(label string) {
		var sessions int
		st.d.Store.r.QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&sessions)
		all, db := openFiles(path)
		fmt.Printf("soak %-6s db %8.1f KiB  wal %7.1f KiB  fds %4d (database %2d)  rss %6.1f MiB | sessions created %7d, stored %6d, visits %6d, polls %6d, 5xx/errors %d\n",
			label, kib(path), kib(path+"-wal"), all, db, rssMiB(), c.created.Load(), sessions, c.visits.Load(), c.polls.Load(), c.failures.Load())
	}
	start := time.Now()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	report("0s")
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			report(time.Since(start).Round(time.Second).String())
		}
	}
	wg.Wait()
	time.Sleep(15 * time.Second) // one maintenance round after the load
	report("after")
}

// soakCounters count what the soak's clients did.
type soakCounters struct{ created, polls, visits, failures atomic.Int64 }

// drive starts the session creators and long-polls until ctx ends.
func (c *soakCounters) drive(ctx context.Context, base, token, appid string) *sync.WaitGroup {
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: *soakPollers + *soakMakers}}
	var mu sync.Mutex
	recent := []string{}
	do := func(req *http.Request) []byte {
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req.WithContext(ctx))
		if err != nil {
			if ctx.Err() == nil {
				c.failures.Add(1)
			}
			return nil
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			c.failures.Add(1)
		}
		return body
	}
	wg := &sync.WaitGroup{}
	for i := 0; i < *soakMakers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				req, _ := http.NewRequest("POST", base+"/v1/authorizations", bytes.NewBufferString(`{"appid":"`+appid+`"}`))
				var v api.Session
				if json.Unmarshal(do(req), &v) != nil || v.ID == "" {
					continue
				}
				c.created.Add(1)
				mu.Lock()
				recent = append(recent[max(0, len(recent)-999):], v.ID)
				mu.Unlock()
				if n%8 == 0 { // some admins scan: a landing visit mints a pre-auth code
					req, _ := http.NewRequest("GET", base+"/a/"+v.Code, nil)
					req.Header.Set("User-Agent", "Mozilla/5.0 MicroMessenger/8.0.50")
					do(req)
					c.visits.Add(1)
				}
			}
		}()
	}
	for i := 0; i < *soakPollers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				var id string
				if len(recent) > 0 {
					id = recent[int(c.polls.Load())%len(recent)]
				}
				mu.Unlock()
				if id == "" {
					time.Sleep(10 * time.Millisecond)
					continue
				}
				req, _ := http.NewRequest("GET", base+"/v1/authorizations/"+id+"?wait=5s&since=99", nil)
				do(req)
				c.polls.Add(1)
			}
		}()
	}
	return wg
}

func kib(path string) float64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return float64(fi.Size()) / 1024
}

// openFiles counts this process's open files, and those on the database
// (the rest are mostly the soak's own loopback sockets, both ends).
func openFiles(path string) (all, db int) {
	es, _ := os.ReadDir("/proc/self/fd")
	for _, e := range es {
		if t, err := os.Readlink("/proc/self/fd/" + e.Name()); err == nil && strings.HasPrefix(t, path) {
			db++
		}
	}
	return len(es), db
}

func rssMiB() float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(l, "VmRSS:"), "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}
