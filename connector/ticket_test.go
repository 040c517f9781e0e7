package connector

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/wechat"
	"oawizard/wechat/wechatsim"
)

func (st *stack) health() api.Health {
	st.t.Helper()
	var h api.Health
	if code := st.call("GET", "/v1/health", st.d.ProjectToken, nil, &h); code != 200 {
		st.t.Fatalf("health: %d", code)
	}
	return h
}

func (st *stack) metric(name string) string {
	st.t.Helper()
	resp, err := http.Get(st.d.LocalURL + "/metrics")
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			return line
		}
	}
	return ""
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// WeChat's pushes stop: the connector says so in health and metrics, raises
// the vendor's alert, asks WeChat to resume once (not on every health
// check), and the ticket that follows ends the stall.
func TestTicketStallIsReportedAlertedAndRestarted(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	if h := st.health(); h.WeChat.Reason != api.ReasonOK || h.Ticket.State != api.TicketOK {
		t.Fatalf("fresh stack: %+v", h)
	}
	st.d.Sim.PausePushes(true)
	clk.Advance(30 * time.Minute)
	h := st.health()
	if h.OK || h.Ticket.State != api.TicketStalled || h.WeChat.Reason != api.ReasonTicketStalled {
		t.Fatalf("after 30 minutes without a push: %+v", h)
	}
	if !strings.Contains(st.logs.String(), `"level":"ERROR","msg":"ticket stalled`) {
		t.Fatalf("no alert in the log:\n%s", st.logs)
	}
	const kick = "/cgi-bin/component/api_start_push_ticket"
	waitFor(t, "api_start_push_ticket", func() bool { return st.d.Sim.Calls(kick) == 1 })
	// The simulator resumed and pushed: the stall is over.
	waitFor(t, "the next ticket", func() bool { return st.health().WeChat.Reason == api.ReasonOK })
	if line := st.metric("connector_ticket_push_restarts_total"); !strings.Contains(line, `result="ok"} 1`) {
		t.Fatalf("restart metric: %q", line)
	}
	if line := st.metric("connector_ticket_stalled"); line != "connector_ticket_stalled 0" {
		t.Fatalf("stall metric after the ticket: %q", line)
	}
	// A second stall within ten minutes alerts in health but does not ask
	// WeChat again.
	st.d.Sim.PausePushes(true)
	clk.Advance(26 * time.Minute)
	st.d.Connector.ticket.mu.Lock()
	st.d.Connector.ticket.lastKick = clk.Now().Add(-time.Minute)
	st.d.Connector.ticket.mu.Unlock()
	for range 3 {
		if h := st.health(); h.WeChat.Reason != api.ReasonTicketStalled {
			t.Fatalf("second stall: %+v", h.WeChat)
		}
	}
	if line := st.metric("connector_ticket_stalled"); line != "connector_ticket_stalled 1" {
		t.Fatalf("stall metric: %q", line)
	}
	st.d.Connector.bg.Wait()
	if n := st.d.Sim.Calls(kick); n != 1 {
		t.Fatalf("api_start_push_ticket called %d times", n)
	}
}

// A server that never received a ticket says "just started" only for the
// first ten minutes; after that it is a stall, and the wizard hears so.
func TestNoTicketSinceStartBecomesAStall(t *testing.T) {
	clk := clock.NewFake(time.Now())
	sim := wechatsim.New(wechatsim.Options{PushInterval: -1})
	defer sim.Close()
	srv, hs := bareConnector(t, sim.URL, clk, nil)
	tok, err := srv.CreateProjectToken("acme")
	if err != nil {
		t.Fatal(err)
	}
	// The phone's landing page for a new session, and the wizard's error
	// for the same cause.
	landing := func() string {
		req, _ := http.NewRequest("POST", hs.URL+"/v1/authorizations", strings.NewReader(`{"appid":"wx0123456789abcdef"}`))
		req.Header.Set("Authorization", "Bearer "+tok)
		var sess api.Session
		getJSON(t, req, &sess)
		req, _ = http.NewRequest("GET", hs.URL+"/a/"+sess.Code, nil)
		req.Header.Set("User-Agent", "Mozilla/5.0 MicroMessenger/8.0.50")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	create := func() api.Error {
		rec := httptest.NewRecorder()
		srv.writeFailure(rec, httptest.NewRequest("GET", "/v1/accounts/x/refresh", nil), ErrWaitingForTicket)
		var e api.Error
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
		return e
	}
	healthz := func() Status { return healthzOf(t, hs.URL) }
	if e := create(); e.Error != api.ErrorWaitingTicket {
		t.Fatalf("just started: %+v", e)
	}
	if page := landing(); !strings.Contains(page, "服务刚刚启动") {
		t.Fatalf("just started, the phone reads: %s", page)
	}
	if hz := healthz(); hz.WeChat.Reason != api.ReasonTicketMissing {
		t.Fatalf("just started: %+v", hz.WeChat)
	}
	clk.Advance(11 * time.Minute)
	if e := create(); e.Error != api.ErrorTicketStalled {
		t.Fatalf("eleven minutes on: %+v", e)
	}
	if page := landing(); !strings.Contains(page, "没有收到微信的通知") || strings.Contains(page, "刚刚启动") {
		t.Fatalf("eleven minutes on, the phone reads: %s", page)
	}
	srv.health.mu.Lock()
	srv.health.keepTill = time.Time{}
	srv.health.mu.Unlock()
	if hz := healthz(); hz.OK || hz.WeChat.Reason != api.ReasonTicketStalled {
		t.Fatalf("eleven minutes on: %+v", hz.WeChat)
	}
	srv.bg.Wait()
	if n := sim.Calls("/cgi-bin/component/api_start_push_ticket"); n != 1 {
		t.Fatalf("api_start_push_ticket called %d times", n)
	}
}

// Pushes signed with another Token or EncodingAESKey are counted, and
// health blames the configuration rather than a missing ticket; a valid
// push clears it.
func TestPushesFailingTheSignatureAreNamedInHealth(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	wrongKey := strings.Repeat("k", 43)
	// One signed with another Token, one encrypted with another key.
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@wrong"), time.Now(), "701", comp.EncodingAESKey, comp.AppID)
	q.Set("msg_signature", strings.Repeat("0", 40))
	if code := st.pushRaw(q, body); code != http.StatusForbidden {
		t.Fatalf("push with another Token: %d", code)
	}
	if h := st.health(); h.WeChat.Reason != api.ReasonOK {
		t.Fatalf("one forged push must not be blamed on the configuration: %+v", h.WeChat)
	}
	q, body = sealedPush(t, ticketXML(comp.AppID, "ticket@@@wrong"), time.Now(), "702", wrongKey, comp.AppID)
	if code := st.pushRaw(q, body); code != http.StatusBadRequest {
		t.Fatalf("push with another EncodingAESKey: %d", code)
	}
	if h := st.health(); h.OK || h.WeChat.Reason != api.ReasonPushSignatureInvalid {
		t.Fatalf("health after failing pushes: %+v", h.WeChat)
	}
	if line := st.metric("connector_push_bad_signature_total"); line != "connector_push_bad_signature_total 2" {
		t.Fatalf("metric: %q", line)
	}
	q, body = sealedPush(t, ticketXML(comp.AppID, "ticket@@@right"), time.Now(), "703", comp.EncodingAESKey, comp.AppID)
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("valid push: %d", code)
	}
	if h := st.health(); h.WeChat.Reason != api.ReasonOK {
		t.Fatalf("health after a valid push: %+v", h.WeChat)
	}
}

// A new ticket clears a remembered "no ticket": health never says the
// ticket is fine and missing in one answer.
func TestNewTicketClearsTheRememberedMissingTicket(t *testing.T) {
	sim := wechatsim.New(wechatsim.Options{PushInterval: -1})
	defer sim.Close()
	comp := wechatsim.DemoComponent()
	_, hs := bareConnector(t, sim.URL, nil, nil)
	healthz := func() Status { return healthzOf(t, hs.URL) }
	if hz := healthz(); hz.WeChat.Reason != api.ReasonTicketMissing {
		t.Fatalf("before the ticket: %+v", hz.WeChat)
	}
	sim.SetPushURL(comp.AppID, hs.URL+"/wechat/events")
	if err := sim.PushTicket(comp.AppID); err != nil {
		t.Fatal(err)
	}
	hz := healthz()
	if hz.Ticket.State != api.TicketOK || hz.WeChat.Reason != api.ReasonOK || !hz.OK {
		t.Fatalf("right after the ticket: ticket %+v, wechat %+v", hz.Ticket, hz.WeChat)
	}
}

// bareConnector is a connector on apiBase with no ticket yet and no
// maintenance loops, served on loopback.
func bareConnector(t *testing.T, apiBase string, clk clock.Clock, hc *http.Client) (*Server, *httptest.Server) {
	t.Helper()
	comp := wechatsim.DemoComponent()
	srv, err := New(Config{PublicURL: "http://127.0.0.1:1", APIBase: apiBase, ComponentAppID: comp.AppID, Clock: clk, MaintainEvery: -1,
		HTTPClient: hc, Secrets: Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey,
			StoreKey: strings.Repeat("s", 32)}}, openTestStore(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs
}

func healthzOf(t *testing.T, base string) Status {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	var hz Status
	getJSON(t, req, &hz)
	return hz
}

// WeChat refusing the stored ticket (61005 expired, 61006 invalid) is a
// stall with WeChat's code, and the wizard hears ticket_stalled, not a
// generic WeChat error.
func TestRefusedTicketIsAStallWithWeChatsCode(t *testing.T) {
	st := startStack(t, "ok", nil)
	srv := st.d.Connector
	for _, code := range []int{61005, 61006} {
		err := fmt.Errorf("refreshing the component token: %w", wechat.ParseAPIError(code, "component ticket is expired rid: 1"))
		if c := srv.ticketCause(err); c.Reason != api.ReasonTicketStalled || c.ErrCode != code {
			t.Errorf("%d: %+v", code, c)
		}
		rec := httptest.NewRecorder()
		srv.writeFailure(rec, httptest.NewRequest("GET", "/v1/accounts/x/refresh", nil), err)
		var e api.Error
		if json.Unmarshal(rec.Body.Bytes(), &e) != nil || rec.Code != http.StatusServiceUnavailable || e.Error != api.ErrorTicketStalled {
			t.Errorf("%d: the wizard got %d %s", code, rec.Code, rec.Body)
		}
	}
}
