package loopback

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"oawizard/clock"
	"oawizard/connector/api"
)

type stack struct {
	t  testing.TB
	d  *Demo
	hc *http.Client
}

func startStack(t *testing.T, scenario string, clk clock.Clock) *stack {
	return restartDemo(t, Options{Scenario: scenario, Clock: clk, Followers: 10, StorePath: t.TempDir() + "/connector.db"})
}

// send makes a request with the project token (when given) and answers
// the status and the body.
func (st *stack) send(method, path, token string, body any) (int, []byte) {
	st.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			st.t.Fatal(err)
		}
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
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		st.t.Fatal(err)
	}
	return resp.StatusCode, data
}

func (st *stack) call(method, path, token string, body, out any) int {
	st.t.Helper()
	code, data := st.send(method, path, token, body)
	if out != nil && json.Unmarshal(data, out) != nil {
		st.t.Fatalf("%s %s: %d %s", method, path, code, data)
	}
	return code
}

func (st *stack) relay(token, appid, path, method string, body any) (int, []byte) {
	st.t.Helper()
	return st.send(method, "/v1/accounts/"+appid+"/wechat/"+path, token, body)
}

// authorize runs a session through the simulated phone until it ends.
func (st *stack) authorize(appid string) api.Session {
	st.t.Helper()
	var s api.Session
	if code := st.call("POST", "/v1/authorizations", st.d.ProjectToken, api.CreateSession{AppID: appid}, &s); code != 201 {
		st.t.Fatalf("create session: %d", code)
	}
	page, err := st.d.Phone().Open(s.QRURL)
	if err != nil {
		st.t.Fatal(err)
	}
	if res, err := page.Confirm(); err != nil || !strings.Contains(res.Body, "授权完成") {
		st.t.Fatalf("confirm: %v", err)
	}
	for deadline := time.Now().Add(20 * time.Second); !s.Final(); {
		if time.Now().After(deadline) {
			st.t.Fatalf("session stuck at %s", s.Status)
		}
		st.call("GET", "/v1/authorizations/"+s.ID+"?wait=2s&since="+itoa(s.Version), st.d.ProjectToken, nil, &s)
	}
	return s
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
