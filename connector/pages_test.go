package connector

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

func TestScanAgainAfterBusyContinuesTheSession(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	st.d.Sim.SetTransientErrors(1)
	phone := st.d.Phone()
	_, err := phone.Open(s.QRURL)
	var pe *wechatsim.PageError
	if !errors.As(err, &pe) || !strings.Contains(pe.Text, "微信繁忙") {
		t.Fatalf("busy WeChat: %v", err)
	}
	st.d.Sim.SetTransientErrors(0)
	page, err := phone.Open(s.QRURL)
	if err != nil {
		t.Fatalf("the second scan did not reach WeChat: %v", err)
	}
	if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Status != api.StatusScanned {
		t.Fatalf("after scanning again: %s", v.Status)
	}
	if _, err := page.Confirm(); err != nil {
		t.Fatal(err)
	}
	st.waitStatus(s.ID, api.StatusAuthorized)
}

// unreachableServer is a connector on the stack's store whose WeChat API
// address refuses connections.
func unreachableServer(t *testing.T, st *stack) (*httptest.Server, *syncBuffer) {
	return serverWithAPI(t, st, "http://127.0.0.1:1")
}

// serverWithAPI is a second connector on the stack's store (same keys)
// that calls WeChat at api.
func serverWithAPI(t *testing.T, st *stack, api string) (*httptest.Server, *syncBuffer) {
	cfg := st.d.Connector.cfg
	cfg.APIBase = api
	logs := &syncBuffer{}
	cfg.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	srv, err := New(cfg, st.d.Store)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs, logs
}

func TestUnreachableWeChatIsNotCalledBusy(t *testing.T) {
	st := startStack(t, "ok", nil)
	hs, _ := unreachableServer(t, st)
	s := st.newSession(st.d.Scenario.OAAppID)
	_, err := st.d.Phone().Open(strings.Replace(s.QRURL, st.d.URL, hs.URL, 1))
	var pe *wechatsim.PageError
	if !errors.As(err, &pe) || strings.Contains(pe.Text, "繁忙") || !strings.Contains(pe.Text, "连不上微信") {
		t.Fatalf("unreachable WeChat: %v", err)
	}
	if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Status != api.StatusPending {
		t.Fatalf("the session changed: %s", v.Status)
	}
	var h struct {
		OK     bool        `json:"ok"`
		WeChat WeChatState `json:"wechat"`
	}
	req, _ := http.NewRequest("GET", hs.URL+"/v1/health", nil)
	req.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
	getJSON(t, req, &h)
	if h.OK || h.WeChat.Reason != ReasonUnreachable || h.WeChat.Message == "" {
		t.Fatalf("health %+v", h)
	}
	var hz Status
	req, _ = http.NewRequest("GET", hs.URL+"/healthz", nil)
	getJSON(t, req, &hz)
	if hz.OK || hz.WeChat == nil || hz.WeChat.Reason != ReasonUnreachable {
		t.Fatalf("healthz %+v", hz)
	}
}

func getJSON(t *testing.T, req *http.Request, out any) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: %s", req.URL.Path, b)
	}
}

func TestHealthNamesTheIPWeChatRefuses(t *testing.T) {
	st := startStack(t, "ip-not-whitelisted", nil)
	var h struct {
		WeChat WeChatState `json:"wechat"`
	}
	st.call("GET", "/v1/health", st.d.ProjectToken, nil, &h)
	if h.WeChat.Reason != ReasonIPNotWhitelisted || h.WeChat.IP != "127.0.0.1" || !strings.Contains(h.WeChat.Message, "127.0.0.1") {
		t.Fatalf("health %+v", h.WeChat)
	}
	var hz Status
	st.call("GET", "/healthz", "", nil, &hz)
	if hz.WeChat == nil || hz.WeChat.Reason != ReasonIPNotWhitelisted {
		t.Fatalf("healthz %+v", hz.WeChat)
	}
}

func TestHealthzSaysTheTicketIsMissing(t *testing.T) {
	sim := wechatsim.New(wechatsim.Options{PushInterval: -1})
	defer sim.Close()
	store := openTestStore(t)
	comp := wechatsim.DemoComponent()
	srv, err := New(Config{PublicURL: "http://127.0.0.1:1", APIBase: sim.URL, ComponentAppID: comp.AppID,
		Secrets: Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: strings.Repeat("s", 32)}}, store)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	var hz Status
	req, _ := http.NewRequest("GET", hs.URL+"/healthz", nil)
	getJSON(t, req, &hz)
	if hz.WeChat == nil || hz.WeChat.Reason != ReasonTicketMissing || hz.WeChat.State != "waiting_for_ticket" {
		t.Fatalf("healthz %+v", hz.WeChat)
	}
}

func TestDesktopBrowserIsOfferedThePCPage(t *testing.T) {
	st := startStack(t, "ok", nil)
	s := st.newSession(st.d.Scenario.OAAppID)
	st.d.Sim.ResetCalls()
	req, _ := http.NewRequest("GET", s.QRURL, nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130.0 Safari/537.36")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "/a/"+s.Code+"?pc=1") || strings.Contains(string(body), "bindcomponent") {
		t.Fatalf("desktop browser page: %s", body)
	}
	if n := st.d.Sim.Calls("/cgi-bin/component/api_create_preauthcode"); n != 0 {
		t.Fatalf("a desktop visit minted %d codes", n)
	}
	if v := st.sessionAs(st.d.ProjectToken, s.ID); v.Status != api.StatusPending {
		t.Fatalf("a desktop visit changed the session: %s", v.Status)
	}
}

func TestClientHangUpIsLoggedAsSuch(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	// WeChat is slow today; the wizard gives up first.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	hs, logs := serverWithAPI(t, st, slow.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/v1/accounts/"+oa+"/wechat/cgi-bin/user/get", nil)
	req.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("the request was not cut off")
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(logs.String(), "client went away") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if l := logs.String(); !strings.Contains(l, "client went away") || strings.Contains(l, "could not be reached") {
		t.Fatalf("hang-up logged as: %s", l)
	}
}

func TestAPIDocumentsWrongMethod(t *testing.T) {
	doc, err := os.ReadFile("API.md")
	if err != nil {
		t.Fatal(err)
	}
	st := startStack(t, "ok", nil)
	code, _ := st.relay(st.d.ProjectToken, st.d.Scenario.OAAppID, "cgi-bin/user/get", "POST", nil)
	if code != http.StatusMethodNotAllowed || !strings.Contains(string(doc), "| 405 |") {
		t.Fatalf("wrong method: %d; API.md documents 405: %v", code, strings.Contains(string(doc), "| 405 |"))
	}
}
