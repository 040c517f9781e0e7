package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// syncBuffer collects log output from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type stack struct {
	t    testing.TB
	d    *testDemo
	logs *syncBuffer
	hc   *http.Client
}

func startStack(t testing.TB, scenario string, clk clock.Clock) *stack {
	t.Helper()
	logs := &syncBuffer{}
	d := startTestDemo(t, scenario, clk, slog.New(slog.NewJSONHandler(logs, nil)))
	return &stack{t: t, d: d, logs: logs, hc: &http.Client{Timeout: 70 * time.Second}}
}

// testDemo is the WeChat simulator and a connector on loopback, with a
// project token. The full demo (kept state, addresses for phones) lives in
// demostack/loopback, which imports this package.
type testDemo struct {
	Sim          *wechatsim.Server
	Connector    *Server
	Store        *SQLStore
	URL          string
	LocalURL     string // the same as URL: everything is on loopback
	ProjectToken string
	Scenario     wechatsim.ScenarioInfo
}

func startTestDemo(t testing.TB, scenario string, clk clock.Clock, logger *slog.Logger) *testDemo {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &testDemo{URL: "http://" + l.Addr().String()}
	d.LocalURL = d.URL
	comp := wechatsim.DemoComponent()
	comp.PushURL, comp.AuthDomain = d.URL+"/wechat/events", "127.0.0.1"
	d.Sim, err = wechatsim.Prepare(wechatsim.Options{Scenario: scenario, Clock: clk, Components: []wechatsim.Component{comp},
		Followers: 2500, Listen: "127.0.0.1:0", PublicHost: "127.0.0.1", BrowserAuth: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Sim.Close)
	if d.Store, err = OpenStore(t.TempDir() + "/connector.db"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Store.Close() })
	d.Connector, err = New(Config{PublicURL: d.URL, APIBase: d.Sim.URL, OpenBase: d.Sim.URL, MPBase: d.Sim.URL,
		ComponentAppID: comp.AppID, PermissionSets: []int{2, 3, 24}, Clock: clk, Logger: logger, RateLimit: -1, Demo: true,
		Secrets: Secrets{AppSecret: comp.Secret, Token: comp.Token, EncodingAESKey: comp.EncodingAESKey, StoreKey: randomID(24)}}, d.Store)
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: d.Connector.Handler()}
	go hs.Serve(l)
	t.Cleanup(func() {
		hs.Close()
		d.Connector.Close()
	})
	d.Sim.Start()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if _, _, err := d.Store.Ticket(context.Background(), comp.AppID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the simulator's first ticket did not arrive")
		}
	}
	d.Scenario = d.Sim.Scenario()
	if d.ProjectToken, err = d.Connector.CreateProjectToken("demo"); err != nil {
		t.Fatal(err)
	}
	return d
}

// Phone is a WeChat user who administers the scenario's accounts.
func (d *testDemo) Phone() *wechatsim.Phone {
	return d.Sim.NewPhone(d.Scenario.OAAppID, d.Scenario.MPAppID)
}

// call makes an authenticated request and decodes a JSON answer into out.
func (st *stack) call(method, path, token string, body any, out any) int {
	st.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, st.d.URL+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := st.hc.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			st.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, data)
		}
	}
	return resp.StatusCode
}

func (st *stack) newSession(appid string) api.Session {
	st.t.Helper()
	var v api.Session
	if code := st.call("POST", "/v1/authorizations", st.d.ProjectToken, map[string]string{"appid": appid}, &v); code != 201 {
		st.t.Fatalf("create session: %d %+v", code, v)
	}
	return v
}

func (st *stack) poll(id string, since int64, wait string) api.Session {
	st.t.Helper()
	var v api.Session
	if code := st.call("GET", "/v1/authorizations/"+id+"?wait="+wait+"&since="+itoa(since), st.d.ProjectToken, nil, &v); code != 200 {
		st.t.Fatalf("poll: %d", code)
	}
	return v
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// authorize runs a session through the simulated phone and returns its end state.
func (st *stack) authorize(appid string, opts ...wechatsim.ConfirmOption) api.Session {
	st.t.Helper()
	s := st.newSession(appid)
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		st.t.Fatal(err)
	}
	res, err := page.Confirm(opts...)
	if err != nil {
		st.t.Fatal(err)
	}
	if !strings.Contains(res.Body, "授权完成") && !strings.Contains(res.Body, "授权的不是") {
		st.t.Fatalf("callback page: %d %s", res.Status, res.Body)
	}
	return st.waitStatus(s.ID, api.StatusAuthorized, api.StatusWrongAccount, api.StatusFailed)
}

func (st *stack) waitStatus(id string, want ...string) api.Session {
	st.t.Helper()
	var v api.Session
	for i := 0; i < 20; i++ {
		v = st.poll(id, v.Version, "2s")
		for _, w := range want {
			if v.Status == w {
				return v
			}
		}
	}
	st.t.Fatalf("session stuck at %s, want %v", v.Status, want)
	return v
}

// relay calls a relayed WeChat API and returns the status and body.
func (st *stack) relay(token, appid, path, method string, body any) (int, []byte) {
	st.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, st.d.URL+"/v1/accounts/"+appid+"/wechat/"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := st.hc.Do(req)
	if err != nil {
		st.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}
