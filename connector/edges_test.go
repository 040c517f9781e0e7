package connector

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// /healthz answers within 2 s even while WeChat hangs: the probe runs
// outside the lock, once, and health says WeChat has not answered.
func TestHealthzAnswersWhileWeChatStalls(t *testing.T) {
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hanging.Close()
	defer close(release)
	comp := wechatsim.DemoComponent()
	_, hs := bareConnector(t, hanging.URL, nil, &http.Client{Timeout: 4 * time.Second})
	q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@hang"), time.Now(), "801", comp.EncodingAESKey, comp.AppID)
	resp, err := http.Post(hs.URL+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("ticket push: %v %v", resp, err)
	}
	resp.Body.Close()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			hz := healthzOf(t, hs.URL)
			if took := time.Since(start); took > 2*time.Second {
				errs <- fmt.Sprintf("probe %d took %v", i, took)
			}
			if hz.OK || hz.WeChat == nil || hz.WeChat.Reason != api.ReasonUnreachable {
				errs <- fmt.Sprintf("probe %d: %+v", i, hz.WeChat)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Every refusal is JSON: unknown paths, wrong methods and refused pushes
// included.
func TestUnroutedRequestsAnswerJSON(t *testing.T) {
	st := startStack(t, "ok", nil)
	for _, c := range []struct {
		method, path string
		status       int
		kind, allow  string
	}{
		{"GET", "/nope", 404, api.ErrorNotFound, ""},
		{"POST", "/healthz", 405, api.ErrorBadRequest, "GET"},
		{"GET", "/wechat/events", 405, api.ErrorBadRequest, "POST"},
		{"DELETE", "/v1/authorizations", 405, api.ErrorBadRequest, "POST"},
		{"POST", "/wechat/events", 400, api.ErrorBadRequest, ""},
		{"POST", "/wechat/messages/wx0123456789abcdef", 400, api.ErrorBadRequest, ""},
	} {
		req, _ := http.NewRequest(c.method, st.d.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var e api.Error
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			json.Unmarshal(b, &e) != nil || e.Error != c.kind || resp.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %q allow %q: %s", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Allow"), b)
		}
	}
}

// A genuine push of a kind the connector does not act on is acknowledged
// (WeChat raises delivery alarms otherwise); junk is still refused.
func TestUnknownButGenuinePushIsAcknowledged(t *testing.T) {
	st := startStack(t, "ok", nil)
	comp := wechatsim.DemoComponent()
	inner := fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1</CreateTime><InfoType><![CDATA[notify_third_fasteregister]]></InfoType><appid>wx0123456789abcdef</appid><status>0</status></xml>", comp.AppID)
	q, body := sealedPush(t, inner, time.Now(), "901", comp.EncodingAESKey, comp.AppID)
	if code := st.pushRaw(q, body); code != 200 {
		t.Fatalf("genuine fast-registration notice: %d", code)
	}
	if !strings.Contains(st.logs.String(), `"info_type":"notify_third_fasteregister"`) {
		t.Fatalf("not logged:\n%s", st.logs)
	}
	q, body = sealedPush(t, inner, time.Now(), "902", comp.EncodingAESKey, comp.AppID)
	q.Set("msg_signature", strings.Repeat("0", 40))
	if code := st.pushRaw(q, body); code != http.StatusForbidden {
		t.Fatalf("the same push forged: %d", code)
	}
	noType := fmt.Sprintf("<xml><AppId><![CDATA[%s]]></AppId><CreateTime>1</CreateTime></xml>", comp.AppID)
	q, body = sealedPush(t, noType, time.Now(), "903", comp.EncodingAESKey, comp.AppID)
	if code := st.pushRaw(q, body); code != http.StatusBadRequest {
		t.Fatalf("a push naming no InfoType: %d", code)
	}
}
