package demostack

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"oawizard/flow"
)

// The demo's console opens with a one-time link from flow, once per link,
// with the same staff token behind every link.
func TestDemoServesTheStaffConsoleThroughOneTimeLinks(t *testing.T) {
	ctx := context.Background()
	st, err := Start(ctx, "ok", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signIn := func(link string) int {
		t.Helper()
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		code := u.Fragment
		req, _ := http.NewRequest("POST", u.Scheme+"://"+u.Host+"/staff/signin", strings.NewReader(url.Values{"link": {code}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", u.Scheme+"://"+u.Host)
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	console, first, err := flow.StaffConsole(ctx, st)
	if err != nil || !strings.HasSuffix(console, "/staff") || !strings.HasPrefix(first, console+"/link#") {
		t.Fatalf("console %q, link %q, %v", console, first, err)
	}
	_, second, err := flow.StaffConsole(ctx, st)
	if err != nil || second == first {
		t.Fatalf("second link %q: %v", second, err)
	}
	if code := signIn(first); code != http.StatusSeeOther {
		t.Fatalf("first link: %d", code)
	}
	if code := signIn(first); code != http.StatusUnauthorized {
		t.Fatalf("first link again: %d", code)
	}
	if code := signIn(second); code != http.StatusSeeOther {
		t.Fatalf("second link: %d", code)
	}
}
