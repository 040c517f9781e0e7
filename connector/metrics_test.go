package connector

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// metricValue reads one sample from a Prometheus text page (0 if absent).
func metricValue(t *testing.T, page, name, labels string) float64 {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name+labels) + ` (\S+)$`).FindStringSubmatch(page)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestMetricsCountRoutesWeChatAndTokens(t *testing.T) {
	st := startStack(t, "ok", nil)
	oa := st.d.Scenario.OAAppID
	st.authorize(oa)
	st.d.Connector.bg.Wait()
	st.d.Connector.tok.dropAuthorizer(context.Background(), oa) // expired: the relay refreshes it
	if code, body := st.relay(st.d.ProjectToken, oa, "cgi-bin/user/get", "GET", nil); code != 200 || !strings.Contains(string(body), "openid") {
		t.Fatalf("relay through the counting transport: %d %s", code, body)
	}
	st.d.Connector.bg.Wait()
	// WeChat refuses this server's IP once the component token expires.
	st.d.Sim.SetComponentWhitelist([]string{"192.0.2.1"})
	comp := componentKey(st.d.Connector.cfg.ComponentAppID)
	st.d.Connector.tok.mu.Lock()
	delete(st.d.Connector.tok.cache, comp)
	st.d.Connector.tok.mu.Unlock()
	st.d.Store.DeleteToken(context.Background(), comp)
	if resp, err := http.Get(st.d.URL + "/healthz"); err == nil {
		resp.Body.Close()
	}
	resp, err := http.Get(st.d.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	for _, c := range []struct {
		name, labels string
		min          float64
	}{
		{"connector_http_requests_total", `{code="201",route="POST /v1/authorizations"}`, 1},
		{"connector_http_requests_total", `{code="200",route="GET /v1/authorizations/{id}"}`, 1},
		{"connector_http_requests_total", `{code="200",route="/v1/accounts/{appid}/wechat/{path...}"}`, 1},
		{"connector_http_request_duration_seconds_count", `{route="GET /a/{code}"}`, 1},
		{"connector_wechat_calls_total", `{errcode="0"}`, 3},
		{"connector_wechat_calls_total", `{errcode="61004"}`, 1},
		{"connector_token_refreshes_total", `{kind="component",result="ok"}`, 1},
		{"connector_token_refreshes_total", `{kind="component",result="error"}`, 1},
		{"connector_token_refreshes_total", `{kind="authorizer",result="ok"}`, 1},
		{"connector_ticket_age_seconds", ``, 0},
	} {
		if v := metricValue(t, page, c.name, c.labels); v < c.min || !strings.Contains(page, c.name+c.labels+" ") {
			t.Errorf("%s%s = %v, want at least %v", c.name, c.labels, v, c.min)
		}
	}
	if strings.Contains(page, oa) || strings.Contains(page, "/cgi-bin/user/get") {
		t.Error("metrics name an account or a relayed path")
	}
}

func TestMetricsAreNotServedToThePublic(t *testing.T) {
	st := startStack(t, "ok", nil)
	req, _ := http.NewRequest("GET", "/metrics", nil)
	req.RemoteAddr = "203.0.113.7:40000"
	w := &recorder{h: http.Header{}}
	st.d.Connector.Handler().ServeHTTP(w, req)
	if w.code != http.StatusNotFound || strings.Contains(string(w.body), "connector_") {
		t.Fatalf("a public address got %d %s", w.code, w.body)
	}
}
