package connector

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/wechat/wechatsim"
)

// landAtOnce opens a session's PC landing page 30 times at once, spread
// over the given connectors, and reports how many pre_auth_codes WeChat
// minted for them.
func landAtOnce(t *testing.T, sim *wechatsim.Server, urls []string, code string) int {
	t.Helper()
	sim.ResetCalls()
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(urls[i%len(urls)] + "/a/" + code + "?pc=1")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("visit %d: %d", i, resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	return sim.Calls("/cgi-bin/component/api_create_preauthcode")
}

func TestConcurrentLandingVisitsMintOneCode(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.public = newLimiter(-1, 0)
	s := st.newSession(st.d.Scenario.OAAppID)
	if n := landAtOnce(t, st.d.Sim, []string{st.d.URL}, s.Code); n != 1 {
		t.Fatalf("30 visits at once minted %d pre_auth_codes", n)
	}
}

func TestConcurrentLandingVisitsOnTwoInstancesMintOneCode(t *testing.T) {
	p := startPair(t, func(c *Config) { c.PublicRateLimit = -1 })
	s := p.session(0, "POST", "/v1/authorizations", map[string]string{"appid": p.sim.Scenario().OAAppID})
	if n := landAtOnce(t, p.sim, p.url[:], s.Code); n != 1 {
		t.Fatalf("30 visits at once on two instances minted %d pre_auth_codes", n)
	}
}

// Codes of sessions never confirmed leave memory once expired: the cache
// holds about as many as there are live sessions.
func TestExpiredPreAuthCodesLeaveTheCache(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	st.d.Connector.public = newLimiter(-1, 0)
	oa := st.d.Scenario.OAAppID
	old := st.newSession(oa)
	if n := landAtOnce(t, st.d.Sim, []string{st.d.URL}, old.Code); n != 1 {
		t.Fatalf("%d codes minted", n)
	}
	clk.Advance(11 * time.Minute)
	if n := landAtOnce(t, st.d.Sim, []string{st.d.URL}, st.newSession(oa).Code); n != 1 {
		t.Fatalf("%d codes minted", n)
	}
	tok := st.d.Connector.tok
	tok.mu.Lock()
	defer tok.mu.Unlock()
	if _, ok := tok.cache[preAuthKey(old.ID)]; ok {
		t.Fatal("an expired session's pre_auth_code stayed in memory")
	}
}
