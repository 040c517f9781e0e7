package connector

import (
	"net/http"
	"oawizard/connector/api"
	"strings"
	"testing"
)

// Anyone who sees the QR code can send the callback a made-up code for a
// waiting session: WeChat refuses it, and the session waits on for the
// admin's real confirmation. Refusals are counted per session and per
// client, so made-up codes cost WeChat only a few calls.
func TestJunkCodeAtTheCallbackLeavesTheSessionWaiting(t *testing.T) {
	st := startStack(t, "ok", nil)
	st.d.Connector.public = newLimiter(-1, 0)
	oa := st.d.Scenario.OAAppID
	queryAuth := func() int { return st.d.Sim.Calls("/cgi-bin/component/api_query_auth") }

	s := st.newSession(oa)
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	before := st.sessionAs(st.d.ProjectToken, s.ID)
	st.d.Sim.ResetCalls()
	for range 2 {
		if code, body := st.callback("queryauthcode@@@made-up-"+randomID(8), s.ID); code != http.StatusBadRequest || !strings.Contains(body, "微信没有接受") {
			t.Fatalf("a made-up code: %d %s", code, body)
		}
	}
	if n := queryAuth(); n != 2 {
		t.Fatalf("%d api_query_auth calls for two made-up codes", n)
	}
	if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Version != before.Version || v.Status != api.StatusScanned {
		t.Fatalf("a made-up code changed the session: %+v", v)
	}
	res, err := page.Confirm()
	if err != nil || !strings.Contains(res.Body, "授权完成") {
		t.Fatalf("the real confirmation after made-up codes: %v %s", err, res.Body)
	}
	if v := st.waitStatus(s.ID, api.StatusAuthorized, api.StatusFailed); v.Status != api.StatusAuthorized {
		t.Fatalf("the real confirmation ended the session %s", v.Status)
	}

	// A session takes three refused codes, then none without a pause.
	other := st.newSession(oa)
	st.visit(other)
	st.d.Sim.ResetCalls()
	for range 10 {
		st.callback("queryauthcode@@@made-up-"+randomID(8), other.ID)
	}
	if n := queryAuth(); n != codeRefusalsPerSession {
		t.Fatalf("ten made-up codes for one session made %d WeChat calls, want %d", n, codeRefusalsPerSession)
	}
	// And this client has had its five (two, then three) on any session.
	third := st.newSession(oa)
	st.visit(third)
	st.d.Sim.ResetCalls()
	if code, _ := st.callback("queryauthcode@@@made-up-"+randomID(8), third.ID); code != http.StatusTooManyRequests {
		t.Fatalf("a sixth made-up code from one client: %d", code)
	}
	if n := queryAuth(); n != 0 {
		t.Fatalf("a throttled client's code made %d WeChat calls", n)
	}
	if v := st.sessionAs(st.d.ProjectToken, third.ID); v.Status != api.StatusScanned {
		t.Fatalf("a throttled made-up code changed the session: %s", v.Status)
	}
}
