package connector

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// A member of staff signed in through one instance keeps the session on
// the other, and a live view held by one wakes when the wizard publishes
// through the other: PostgreSQL's notifications carry the change.
func TestStaffConsoleAcrossInstancesOnPostgres(t *testing.T) {
	p := startPair(t)
	ctx := context.Background()
	tok, err := CreateStaffToken(ctx, p.st[0], "王小明", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	form := func(i int, path, cookie string, v url.Values) *http.Response {
		t.Helper()
		req, _ := http.NewRequest("POST", p.url[i]+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", p.url[i])
		if cookie != "" {
			req.Header.Set("Cookie", staffCookie+"="+cookie)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	resp := form(0, "/staff/signin", "", url.Values{"token": {tok}})
	var cookie string
	for _, k := range resp.Cookies() {
		if k.Name == staffCookie {
			cookie = k.Value
		}
	}
	if resp.StatusCode != http.StatusSeeOther || cookie == "" {
		t.Fatalf("sign-in on instance 0: %d", resp.StatusCode)
	}
	snap := sampleSnapshot("unknown")
	code, body := p.call(0, "POST", "/v1/support/snapshot", snap)
	var got struct{ Code string }
	if err := json.Unmarshal(body, &got); err != nil || code != 200 {
		t.Fatalf("publish: %d %s", code, body)
	}
	resp = form(1, "/staff/find", cookie, url.Values{"code": {got.Code}, "csrf": {csrfFor(cookie)}})
	view := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(view, "/staff/view/ss_") {
		t.Fatalf("find on instance 1: %d %q", resp.StatusCode, view)
	}
	req, _ := http.NewRequest("GET", p.url[1]+"/staff/events?topic="+url.QueryEscape("staff:"+strings.TrimPrefix(view, "/staff/view/")), nil)
	req.Header.Set("Cookie", staffCookie+"="+cookie)
	ev, err := p.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	if ev.StatusCode != 200 {
		t.Fatalf("events on instance 1: %d", ev.StatusCode)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(ev.Body)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	if l := <-lines; !strings.HasPrefix(l, "retry:") {
		t.Fatalf("first line %q", l)
	}
	snap["code"] = got.Code
	if code, body := p.call(0, "POST", "/v1/support/snapshot", snap); code != 200 {
		t.Fatalf("second publish: %d %s", code, body)
	}
	// Well before the overview's tick: the notification woke it.
	timeout := time.After(staffTick / 3)
	for {
		select {
		case l := <-lines:
			if l == "event: change" {
				revokeOnPostgres(t, p, cookie)
				return
			}
		case <-timeout:
			t.Fatal("instance 1's live view did not hear of the publish through instance 0")
		}
	}
}

// revokeOnPostgres revokes the only staff token through one instance and
// sees its session end on the other.
func revokeOnPostgres(t *testing.T, p *pair, cookie string) {
	ctx := context.Background()
	list, err := StaffTokens(ctx, p.st[1])
	if err != nil || len(list) != 1 || list[0].Name != "王小明" {
		t.Fatalf("staff tokens on PostgreSQL: %+v %v", list, err)
	}
	if err := RevokeStaffToken(ctx, p.st[1], list[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", p.url[0]+"/staff", nil)
	req.Header.Set("Cookie", staffCookie+"="+cookie)
	resp, err := p.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a revoked token's session still opens instance 0: %d", resp.StatusCode)
	}
}

// A console on a PostgreSQL that hangs (stopped by SIGSTOP: connections
// open, nothing answers) answers its
// sign-in with the busy page at the store deadline, never a hang nor "the
// token is wrong".
func TestStaffSignInOnAHungPostgresSaysBusyInTime(t *testing.T) {
	p := startPair(t)
	tok, err := CreateStaffToken(context.Background(), p.st[0], "a", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	srv, proxy := p.viaProxy()
	proxy.set("stall")
	defer proxy.set("up")
	req, _ := http.NewRequest("POST", "http://connector.test/staff/signin", strings.NewReader(url.Values{"token": {tok}}.Encode()))
	req.Host = "connector.test"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://connector.test")
	w := &recorder{h: http.Header{}}
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		srv.Handler().ServeHTTP(w, req)
	}()
	select {
	case <-done:
	case <-time.After(storeTimeout + 5*time.Second):
		t.Fatalf("the sign-in still hangs after %v", time.Since(start))
	}
	took := time.Since(start)
	body := string(w.body)
	if w.code != http.StatusServiceUnavailable || w.h.Get("Retry-After") == "" || took > storeTimeout+time.Second ||
		!strings.Contains(body, tr("zh-Hans").t("busy.title")) || strings.Contains(body, tr("zh-Hans").t("signin.wrong")) {
		t.Fatalf("sign-in with the database hung: %d Retry-After %q after %v: %s", w.code, w.h.Get("Retry-After"), took, body)
	}
}
