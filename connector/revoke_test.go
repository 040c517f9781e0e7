package connector

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"oawizard/wechat/wechatsim"
)

// revokeRuns is how many times the revocation race is run: it lost in
// about half the runs when invalidation read and deleted in two steps.
const revokeRuns = 10

// revokeUnderLoad revokes the account's access token at WeChat while 200
// callers hold it, again and again: each time exactly one refresh follows,
// and no caller is handed WeChat's 40001.
func revokeUnderLoad(t *testing.T, sim *wechatsim.Server, oa string, relay func(i int) (int, []byte)) {
	t.Helper()
	sim.SetQuota(oa, "/cgi-bin/user/get", 1<<30, 0)
	for run := range revokeRuns {
		// Every instance holds the token about to be revoked.
		for i := range 2 {
			if code, body := relay(i); code != 200 || strings.Contains(string(body), "errcode") {
				t.Fatalf("run %d: before the revocation: %d %s", run, code, body)
			}
		}
		sim.InvalidateAuthorizerToken(oa)
		sim.ResetCalls()
		var wg sync.WaitGroup
		failed := make(chan string, 200)
		for i := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if code, body := relay(i); code != 200 || strings.Contains(string(body), "errcode") {
					failed <- fmt.Sprintf("%d %s", code, body)
				}
			}()
		}
		wg.Wait()
		close(failed)
		n, first := 0, ""
		for f := range failed {
			if n == 0 {
				first = f
			}
			n++
		}
		if refreshes := sim.Calls("/cgi-bin/component/api_authorizer_token"); n > 0 || refreshes != 1 {
			t.Fatalf("run %d: %d of 200 callers failed (first: %s) and %d refreshes were made, want none and 1", run, n, first, refreshes)
		}
	}
}

func TestRevokedTokenIsRefreshedOnceUnderLoad(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	revokeUnderLoad(t, st.d.Sim, oa, func(int) (int, []byte) {
		return st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil)
	})
}

func TestRevokedTokenIsRefreshedOnceAcrossInstances(t *testing.T) {
	p := startPair(t)
	oa := p.sim.Scenario().OAAppID
	p.authorize(oa)
	revokeUnderLoad(t, p.sim, oa, func(i int) (int, []byte) {
		return p.call(i%2, "GET", "/v1/accounts/"+oa+"/wechat/cgi-bin/user/get", nil)
	})
}
