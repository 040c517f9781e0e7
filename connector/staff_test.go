package connector

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// staffClient is a browser without a cookie jar: each test says exactly
// which cookies and headers a request carries.
type staffClient struct {
	st     *stack
	cookie string
}

var noRedirect = &http.Client{Timeout: 20 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (c *staffClient) do(method, path string, form url.Values, hdr map[string]string) (*http.Response, string) {
	c.st.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.st.d.URL+path, body)
	if err != nil {
		c.st.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if c.cookie != "" {
		req.Header.Set("Cookie", staffCookie+"="+c.cookie)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := noRedirect.Do(req)
	if err != nil {
		c.st.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.st.t.Fatal(err)
	}
	return resp, string(b)
}

func (c *staffClient) origin() map[string]string { return map[string]string{"Origin": c.st.d.URL} }

// signIn exchanges a staff token for the session cookie.
func (c *staffClient) signIn(token string) *http.Cookie {
	c.st.t.Helper()
	resp, body := c.do("POST", "/staff/signin", url.Values{"token": {token}}, c.origin())
	if resp.StatusCode != http.StatusSeeOther {
		c.st.t.Fatalf("sign-in: %d %s", resp.StatusCode, body)
	}
	for _, k := range resp.Cookies() {
		if k.Name == staffCookie {
			c.cookie = k.Value
			return k
		}
	}
	c.st.t.Fatal("sign-in set no cookie")
	return nil
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (c *staffClient) csrf() string {
	c.st.t.Helper()
	_, body := c.do("GET", "/staff", nil, nil)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.st.t.Fatalf("no form token on the console: %s", body)
	}
	return m[1]
}

func newStaff(t *testing.T, st *stack, name string) string {
	t.Helper()
	tok, err := CreateStaffToken(context.Background(), st.d.Store, name, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// publish posts a snapshot with a project token and returns the code.
func publish(t *testing.T, st *stack, token string, body any) (int, string) {
	t.Helper()
	var out struct {
		Code string `json:"code"`
	}
	code := st.call("POST", "/v1/support/snapshot", token, body, &out)
	return code, out.Code
}

func sampleSnapshot(status string) map[string]any {
	return map[string]any{"publishing": true, "oa_appid": "wx1234567890abcdef", "oa_name": "示例公众号",
		"step": words{"zh-Hans": "第 1 步：检查账号", "en": "Step 1: accounts"},
		"checks": []map[string]any{{"id": "oa_verified", "status": status,
			"title":    words{"zh-Hans": "公众号已认证", "en": "Official Account verified"},
			"reason":   words{"zh-Hans": "账号已认证。", "en": "The account is verified."},
			"evidence": words{"zh-Hans": "来自微信接口", "en": "from WeChat's API"}, "raw": "verify_type_info.id = 0"}},
		"sync": map[string]any{"state": "stopped", "stored": 3000000, "total": 3500000, "with_unionid": 2999999,
			"stopped": words{"zh-Hans": "今日接口次数已用完", "en": "today's quota is used up"}}}
}

func TestStaffSignInFindsACustomerByCodeInBothLanguages(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	k := c.signIn(newStaff(t, st, "王小明"))
	if !k.HttpOnly || k.SameSite != http.SameSiteStrictMode || k.Path != "/staff" || k.Secure {
		t.Fatalf("cookie on loopback: %+v", k)
	}
	status, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("pass"))
	if status != 200 || !regexp.MustCompile(`^[A-Z2-9]{6}-[A-Z2-9]{6}$`).MatchString(code) {
		t.Fatalf("publish: %d %q", status, code)
	}
	// Typed as read aloud: lower case, spaces.
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	resp, body := c.do("POST", "/staff/find", url.Values{"code": {typed}, "csrf": {c.csrf()}}, c.origin())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("find: %d %s", resp.StatusCode, body)
	}
	view := resp.Header.Get("Location")
	_, zh := c.do("GET", view, nil, map[string]string{"Accept-Language": "zh-CN,zh;q=0.9"})
	for _, want := range []string{"示例公众号", "公众号已认证", "通过", "在 3,000,000 / 3,500,000 位粉丝处停止", "今日接口次数已用完", "verify_type_info.id = 0"} {
		if !strings.Contains(zh, want) {
			t.Errorf("Chinese view lacks %q", want)
		}
	}
	_, en := c.do("GET", view+"?lang=en", nil, nil)
	for _, want := range []string{"Official Account verified", "Pass", "Stopped at 3,000,000 of 3,500,000 followers", "today&#39;s quota is used up"} {
		if !strings.Contains(en, want) {
			t.Errorf("English view lacks %q", want)
		}
	}
	if !strings.Contains(st.logs.String(), `"msg":"staff view"`) || !strings.Contains(st.logs.String(), `"staff":"王小明"`) ||
		!strings.Contains(st.logs.String(), `"project":"demo"`) {
		t.Errorf("the view is not logged with who and which project: %s", st.logs.String())
	}
	if strings.Contains(st.logs.String(), code) {
		t.Error("the support code reached the log")
	}
}

func TestStaffSeesPublishingOff(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	_, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("fail"))
	if s, again := publish(t, st, st.d.ProjectToken, map[string]any{"code": code, "publishing": false}); s != 200 || again != code {
		t.Fatalf("turning publishing off: %d %q, want the same code %q", s, again, code)
	}
	resp, _ := c.do("POST", "/staff/find", url.Values{"code": {code}, "csrf": {c.csrf()}}, c.origin())
	_, body := c.do("GET", resp.Header.Get("Location"), nil, map[string]string{"Accept-Language": "en"})
	if !strings.Contains(body, "turned sharing off") || strings.Contains(body, "Official Account verified") {
		t.Fatalf("view with publishing off: %s", body)
	}
}

func TestStaffPagesRefuseProjectTokensAndStaffTokensRelayNothing(t *testing.T) {
	st := startStack(t, "ok", nil)
	staffTok := newStaff(t, st, "a")
	c := &staffClient{st: st}
	// A project token is not a staff token, as a form or as a bearer.
	resp, _ := c.do("POST", "/staff/signin", url.Values{"token": {st.d.ProjectToken}}, c.origin())
	if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
		t.Fatalf("project token signed in: %d", resp.StatusCode)
	}
	resp, body := c.do("GET", "/staff", nil, map[string]string{"Authorization": "Bearer " + st.d.ProjectToken})
	if resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "csrf") {
		t.Fatalf("project token opened the console: %d", resp.StatusCode)
	}
	c.cookie = st.d.ProjectToken
	if resp, _ := c.do("GET", "/staff", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("project token as a cookie opened the console: %d", resp.StatusCode)
	}
	// A staff token relays nothing and publishes nothing.
	if code, _ := st.relay(staffTok, "wx1234567890abcdef", "cgi-bin/user/get", "GET", nil); code != http.StatusUnauthorized {
		t.Fatalf("staff token at the relay: %d", code)
	}
	if code, _ := publish(t, st, staffTok, sampleSnapshot("pass")); code != http.StatusUnauthorized {
		t.Fatalf("staff token published: %d", code)
	}
	// Nor does the session cookie's value.
	c.signIn(staffTok)
	if code, _ := st.relay(c.cookie, "wx1234567890abcdef", "cgi-bin/user/get", "GET", nil); code != http.StatusUnauthorized {
		t.Fatalf("staff session at the relay: %d", code)
	}
}

func TestStaffFormsRefuseCrossSiteAndMissingTokens(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	csrf := c.csrf()
	evil := map[string]string{"Origin": "https://evil.example"}
	for _, tc := range []struct {
		name string
		form url.Values
		hdr  map[string]string
	}{
		{"other origin", url.Values{"csrf": {csrf}, "code": {"x"}}, evil},
		{"no origin or referer", url.Values{"csrf": {csrf}, "code": {"x"}}, nil},
		{"no form token", url.Values{"code": {"x"}}, c.origin()},
		{"wrong form token", url.Values{"csrf": {strings.Repeat("0", 32)}}, c.origin()},
	} {
		for _, path := range []string{"/staff/find", "/staff/signout"} {
			if resp, _ := c.do("POST", path, tc.form, tc.hdr); resp.StatusCode != http.StatusForbidden {
				t.Errorf("%s at %s: %d", tc.name, path, resp.StatusCode)
			}
		}
	}
	// Sign-in from another site is refused too (login CSRF).
	if resp, _ := (&staffClient{st: st}).do("POST", "/staff/signin", url.Values{"token": {"x"}}, evil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site sign-in: %d", resp.StatusCode)
	}
	// The session still works, and signing out ends it for good.
	if resp, _ := c.do("POST", "/staff/signout", url.Values{"csrf": {csrf}}, c.origin()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/staff", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the cookie outlived the sign-out: %d", resp.StatusCode)
	}
}

func TestStaffCookieStaysOnStaffPathsAndRevocationBites(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	tok := newStaff(t, st, "a")
	k := c.signIn(tok)
	// A browser sends the cookie to /staff only: the wizard's pages and
	// the API never see it.
	u, _ := url.Parse(st.d.URL + "/a/ABCDEF")
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	jar.SetCookies(u, []*http.Cookie{k})
	jar.SetCookies(mustURL(t, st.d.URL+"/staff"), []*http.Cookie{k})
	if len(jar.Cookies(u)) != 0 || len(jar.Cookies(mustURL(t, st.d.URL+"/v1/health"))) != 0 {
		t.Fatal("the staff cookie is sent beyond /staff")
	}
	if len(jar.Cookies(mustURL(t, st.d.URL+"/staff/view/x"))) != 1 {
		t.Fatal("the staff cookie is not sent to the console")
	}
	list, err := StaffTokens(context.Background(), st.d.Store)
	if err != nil || len(list) != 1 || list[0].Hash == tok || strings.Contains(list[0].Hash, tok) {
		t.Fatalf("staff tokens: %+v %v", list, err)
	}
	if err := RevokeStaffToken(context.Background(), st.d.Store, list[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.do("GET", "/staff", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a revoked token's session still opens the console: %d", resp.StatusCode)
	}
	if resp, _ := (&staffClient{st: st}).do("POST", "/staff/signin", url.Values{"token": {tok}}, c.origin()); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a revoked token signed in: %d", resp.StatusCode)
	}
}

func TestStaffCookieIsSecureBeyondLoopbackAndLinksWorkOnce(t *testing.T) {
	st := startStack(t, "ok", nil)
	tok := newStaff(t, st, "a")
	// Behind a proxy on a real name the cookie travels over TLS only.
	req, _ := http.NewRequest("POST", st.d.URL+"/staff/signin", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Host = "connector.example.com"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://connector.example.com")
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(resp.Cookies()) != 1 || !resp.Cookies()[0].Secure {
		t.Fatalf("cookie beyond loopback: %d %+v", resp.StatusCode, resp.Cookies())
	}
	path, err := st.d.Connector.StaffSignInLink(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	c := &staffClient{st: st}
	// Opening the link changes nothing; the click signs in, once.
	page, code, ok := strings.Cut(path, "#")
	if !ok || page != "/staff/link" || len(code) < 32 {
		t.Fatalf("the link %q does not keep its code in the fragment", path)
	}
	if resp, body := c.do("GET", page, nil, nil); resp.StatusCode != 200 || len(resp.Cookies()) != 0 || !strings.Contains(body, `name="link"`) {
		t.Fatalf("link page: %d %v", resp.StatusCode, resp.Cookies())
	}
	if resp, _ := c.do("POST", "/staff/signin", url.Values{"link": {code}}, c.origin()); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use of the link: %d", resp.StatusCode)
	}
	if resp, _ := c.do("POST", "/staff/signin", url.Values{"link": {code}}, c.origin()); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("second use of the link: %d", resp.StatusCode)
	}
	if strings.Contains(st.logs.String(), code) {
		t.Fatal("a sign-in link's code reached the log")
	}
	if _, err := st.d.Connector.StaffSignInLink(context.Background(), st.d.ProjectToken); err == nil {
		t.Fatal("a project token made a staff sign-in link")
	}
}

func TestStaffLiveViewsNeedASession(t *testing.T) {
	st := startStack(t, "ok", nil)
	_, code := publish(t, st, st.d.ProjectToken, sampleSnapshot("pass"))
	c := &staffClient{st: st}
	if resp, body := c.do("GET", "/staff/events?topic=staff:*", nil, nil); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "change") {
		t.Fatalf("events without a session: %d", resp.StatusCode)
	}
	if resp, body := c.do("POST", "/staff/find", url.Values{"code": {code}}, c.origin()); resp.StatusCode != http.StatusUnauthorized || strings.Contains(body, "/staff/view/") {
		t.Fatalf("find without a session: %d", resp.StatusCode)
	}
	c.signIn(newStaff(t, st, "a"))
	if resp, _ := c.do("GET", "/staff/events?topic=sessions", nil, nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("events on another topic: %d", resp.StatusCode)
	}
}

// The console names the vendor's own problem in words, with the IP WeChat
// saw, so staff know at once what to add to the whitelist.
func TestStaffConsoleShowsTheIPWeChatRefused(t *testing.T) {
	st := startStack(t, "ip-not-whitelisted", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	_, zh := c.do("GET", "/staff", nil, map[string]string{"Accept-Language": "zh-CN"})
	if !strings.Contains(zh, "微信拒绝本服务器的 IP") || !strings.Contains(zh, "白名单IP地址列表") || !strings.Contains(zh, "127.0.0.1") {
		t.Fatalf("console health: %s", zh)
	}
	_, en := c.do("GET", "/staff?lang=en", nil, nil)
	if !strings.Contains(en, "refuses this server&#39;s IP") || !strings.Contains(en, "as WeChat saw it") {
		t.Fatalf("English console health: %s", en)
	}
	if strings.Contains(zh+en, "ip_not_whitelisted") || strings.Contains(zh+en, "61004") {
		t.Fatal("a raw reason or code reached the page")
	}
}

// A shutdown ends the console's event streams at once instead of waiting
// out its grace period for them.
func TestStaffEventStreamsEndOnShutdown(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	c.signIn(newStaff(t, st, "a"))
	req, _ := http.NewRequest("GET", st.d.URL+"/staff/events?topic=staff:*", nil)
	req.Header.Set("Cookie", staffCookie+"="+c.cookie)
	resp, err := st.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ended := make(chan error, 1)
	go func() {
		_, err := io.Copy(io.Discard, resp.Body)
		ended <- err
	}()
	st.d.Connector.EndStreams()
	select {
	case err := <-ended:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(staffTick / 2):
		t.Fatal("the event stream outlived the shutdown")
	}
}

// Guessing staff tokens is slowed per client like guessing codes.
func TestStaffSignInGuessesAreRateLimited(t *testing.T) {
	st := startStack(t, "ok", nil)
	c := &staffClient{st: st}
	for i := 0; ; i++ {
		resp, _ := c.do("POST", "/staff/signin", url.Values{"token": {"oas_guess"}}, c.origin())
		if resp.StatusCode == http.StatusTooManyRequests {
			break
		}
		if resp.StatusCode != http.StatusUnauthorized || i > staffLookupBurst {
			t.Fatalf("guess %d: %d", i, resp.StatusCode)
		}
	}
	// The right token waits too: the limit is on the client, not the guess.
	tok := newStaff(t, st, "a")
	if resp, _ := c.do("POST", "/staff/signin", url.Values{"token": {tok}}, c.origin()); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("right token while limited: %d", resp.StatusCode)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
