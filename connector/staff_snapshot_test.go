package connector

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"oawizard/clock"
)

func TestSupportCodesResistGuessing(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	csrf := c.csrf()
	_, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("pass"))
	if n := len(normalCode(code)); n != supportCodeLen || supportCodeLen < 12 {
		t.Fatalf("code %q is %d symbols", code, n)
	}
	wrong := []byte(normalCode(code))
	wrong[0] = codeAlphabet[(strings.IndexByte(codeAlphabet, wrong[0])+1)%len(codeAlphabet)]
	limited := false
	for i := 0; i < staffLookupBurst+2; i++ {
		resp, _ := c.do("POST", "/staff/find", url.Values{"code": {string(wrong)}, "csrf": {csrf}}, c.origin())
		if resp.StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	if !limited {
		t.Fatal("guesses are not rate-limited")
	}
	// Even the right code waits now.
	if resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {csrf}}, c.origin()); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right code while limited: %d", resp.StatusCode)
	}
	// Another project cannot take over the code: it gets its own.
	other, err := st.d.Connector.CreateProjectToken("other")
	if err != nil {
		t.Fatal(err)
	}
	if s, got := publish(t, st, other, map[string]any{"code": code, "publishing": false}); s != 200 || got == code {
		t.Fatalf("another project reused the code: %d %q", s, got)
	}
}

func TestSupportCodesExpire(t *testing.T) {
	clk := clock.NewFake(time.Now())
	st := startStack(t, "ok", clk)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	_, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("pass"))
	clk.Advance(supportCodeTTL + time.Minute)
	c.signIn(newStaff(t, st, "b")) // the first session is past its 12 hours too
	resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {c.csrf()}}, c.origin())
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("expired code: %d", resp.StatusCode)
	}
	if s, fresh := publish(t, st, st.d.ProjectToken, map[string]any{"code": code, "publishing": true}); s != 200 || fresh == code {
		t.Fatalf("the wizard kept an expired code: %d %q", s, fresh)
	}
}

func TestSnapshotRefusesJunkAndOversizedBodies(t *testing.T) {
	st := startStack(t, "ok", nil)
	post := func(body []byte) int {
		req, _ := http.NewRequest("POST", st.d.URL+"/v1/support/snapshot", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+st.d.ProjectToken)
		resp, err := st.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	big := sampleSnapshot("pass")
	big["oa_name"] = strings.Repeat("名", maxSnapshotBytes)
	bigJSON, _ := json.Marshal(big)
	longText := sampleSnapshot("pass")
	longText["oa_name"] = strings.Repeat("a", maxSnapshotText+1)
	longJSON, _ := json.Marshal(longText)
	for name, tc := range map[string]struct {
		body []byte
		want int
	}{
		"not json":        {[]byte("<xml/>"), 400},
		"unknown field":   {[]byte(`{"publishing":true,"followers":[{"openid":"o1"}]}`), 400},
		"bad status":      {[]byte(`{"publishing":true,"checks":[{"id":"x","status":"green","title":{}}]}`), 400},
		"bad locale":      {[]byte(`{"publishing":true,"step":{"fr":"x"}}`), 400},
		"negative counts": {[]byte(`{"publishing":true,"sync":{"state":"done","stored":-1,"with_unionid":0}}`), 400},
		"text too long":   {longJSON, 400},
		"oversized":       {bigJSON, 413},
	} {
		if got := post(tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
}

func TestStaffViewEscapesWhatWizardsPublish(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	snap := sampleSnapshot("pass")
	snap["oa_name"] = `<script>alert(1)</script>`
	_, code := publish(t, st, st.d.ProjectToken, snap)
	resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {c.csrf()}}, c.origin())
	resp, body := c.do("GET", resp.Header.Get("Location"), nil, nil)
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;") {
		t.Fatalf("published text is not escaped: %s", body)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatal("no content security policy")
	}
}

func TestStaffViewSaysASyncIsRunning(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	snap := sampleSnapshot("pass")
	snap["sync"] = map[string]any{"state": "running", "stored": 12000, "with_unionid": 11000}
	_, code := publish(t, st, st.d.ProjectToken, snap)
	resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {c.csrf()}}, c.origin())
	_, body := c.do("GET", resp.Header.Get("Location"), nil, map[string]string{"Accept-Language": "zh-CN"})
	if !strings.Contains(body, "正在同步：已存 12,000 位粉丝，其中 11,000 位有 unionid。") || strings.Contains(body, "停止") {
		t.Fatalf("running sync: %s", body)
	}
}

// Staff see which release of the wizard the customer runs.
func TestStaffViewShowsTheWizardVersion(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	snap := sampleSnapshot("pass")
	snap["version"] = "1.4.2 (abc1234)"
	_, code := publish(t, st, st.d.ProjectToken, snap)
	resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {c.csrf()}}, c.origin())
	for lang, label := range map[string]string{"zh-CN": "向导版本", "en": "wizard version"} {
		_, body := c.do("GET", resp.Header.Get("Location"), nil, map[string]string{"Accept-Language": lang})
		if !strings.Contains(body, label+` <span id="version">1.4.2 (abc1234)</span>`) {
			t.Errorf("%s: the view does not name the version: %s", lang, body)
		}
	}
}
