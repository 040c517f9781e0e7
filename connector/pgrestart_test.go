package connector

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/pgtest"
	"oawizard/wechat/wechatsim"
)

// TestInstancesRecoverFromAPostgresRestart restarts the real server under
// two serving instances, on a cluster of the test's own (the shared one
// serves other packages' tests meanwhile). While it is down /healthz
// answers promptly, never hanging; afterwards both instances serve
// sessions, pushes and cross-instance long-polls again without any help.
func TestInstancesRecoverFromAPostgresRestart(t *testing.T) {
	cl := pgtest.NewCluster(t)
	p := startPairOn(t, cl.URL)
	oa := p.sim.Scenario().OAAppID
	before := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": oa})

	restartProbingHealthz(t, p, cl)

	// What was stored before is served by both; new sessions are made.
	for i := range p.url {
		if v := p.session(i, "GET", "/v1/authorizations/"+before.ID+"?wait=0s", nil); v.ID != before.ID {
			t.Fatalf("instance %d lost the session: %+v", i, v)
		}
	}
	s := p.session(1, "POST", "/v1/authorizations", map[string]string{"appid": oa})
	// A push reaches either instance and is stored.
	comp := wechatsim.DemoComponent()
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@after-restart"), time.Now(), "after-restart", comp.EncodingAESKey, comp.AppID)
	resp, err := http.Post(p.url[1]+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push after the restart: %d", resp.StatusCode)
	}
	if fresh, err := p.st[0].ApplyPush(t.Context(), "after-restart:"+q.Get("timestamp"), time.Now(), PushEffect{}); err != nil || fresh {
		t.Fatalf("the acknowledged push is not in the database (%v)", err)
	}
	// The listeners reconnected: a long-poll on instance 1 hears a change
	// made through instance 0 within a second, not after feedRecheck.
	answered := make(chan api.Session, 1)
	go func() {
		code, data, err := p.try(1, "GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(s.Version), nil)
		var v api.Session
		if err == nil && code == http.StatusOK {
			json.Unmarshal(data, &v)
		}
		answered <- v
	}()
	time.Sleep(200 * time.Millisecond)
	if _, err := p.srv[0].updateSession(t.Context(), s.ID, func(x *Session) bool { x.Visits++; return true }); err != nil {
		t.Fatal(err)
	}
	changed := time.Now()
	select {
	case v := <-answered:
		if v.Version != s.Version+1 || time.Since(changed) > time.Second {
			t.Fatalf("long-poll answered version %d after %v", v.Version, time.Since(changed))
		}
	case <-time.After(feedRecheck / 2):
		t.Fatal("a change on one instance did not reach the other's long-poll after the restart")
	}
}

// restartProbingHealthz restarts the cluster while probing both instances'
// /healthz, and waits until both are healthy again: every probe must have
// answered within 4 s, with 200 or 503.
func restartProbingHealthz(t *testing.T, p *pair, cl *pgtest.Cluster) {
	t.Helper()
	type probe struct {
		code int
		took time.Duration
	}
	var mu sync.Mutex
	var probes []probe
	stop := make(chan struct{})
	var wg sync.WaitGroup
	hc := &http.Client{Timeout: 20 * time.Second}
	for i := range p.url {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				resp, err := hc.Get(p.url[i] + "/healthz")
				pr := probe{took: time.Since(start)}
				if err == nil {
					pr.code = resp.StatusCode
					resp.Body.Close()
				}
				mu.Lock()
				probes = append(probes, pr)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	restarted := time.Now()
	if err := cl.Restart(); err != nil {
		t.Fatal(err)
	}
	t.Logf("pg_ctl restart took %v", time.Since(restarted))
	// Both instances say they are healthy again by themselves.
	for i := range p.url {
		for deadline := time.Now().Add(15 * time.Second); ; {
			resp, err := hc.Get(p.url[i] + "/healthz")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("instance %d is not healthy 15 s after the restart", i)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	close(stop)
	wg.Wait()
	down := 0
	for _, pr := range probes {
		if pr.code == 0 || pr.took > 4*time.Second {
			t.Fatalf("/healthz hung or failed during the restart: %+v", pr)
		}
		if pr.code != http.StatusOK {
			if pr.code != http.StatusServiceUnavailable {
				t.Fatalf("/healthz answered %d during the restart", pr.code)
			}
			down++
		}
	}
	t.Logf("%d of %d /healthz probes answered 503 during the restart", down, len(probes))
	if down == 0 {
		t.Fatal("/healthz never reported the store's outage during the restart")
	}
}
