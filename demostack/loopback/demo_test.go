package loopback

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"oawizard/connector"
	"oawizard/connector/api"
	"oawizard/wechat/wechatsim"
)

// demoTokens counts the demo project's tokens and those still usable.
func demoTokens(t *testing.T, path string) (all, live int) {
	t.Helper()
	st, err := connector.OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ts, err := st.ProjectTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ts {
		if p.Project == demoProject {
			all++
			if p.RevokedAt.IsZero() {
				live++
			}
		}
	}
	return all, live
}

func restartDemo(t *testing.T, opts Options) *stack {
	t.Helper()
	d, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return &stack{t: t, d: d, hc: &http.Client{Timeout: 70 * time.Second}}
}

// Each simulated start used to add another live demo token; now the
// previous one is revoked, so a database holds one usable demo token.
func TestDemoRestartLeavesOneLiveToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.db")
	first := restartDemo(t, Options{Scenario: "ok", StorePath: path, Followers: 10})
	old := first.d.ProjectToken
	first.d.Close()
	second := restartDemo(t, Options{Scenario: "ok", StorePath: path, Followers: 10})
	if second.d.ProjectToken == old {
		t.Fatal("a new token was expected without CONNECTOR_DEMO_TOKEN")
	}
	if code := second.call("GET", "/v1/health", old, nil, nil); code != 401 {
		t.Fatalf("the previous start's token answers %d, want 401", code)
	}
	if code := second.call("GET", "/v1/health", second.d.ProjectToken, nil, nil); code != 200 {
		t.Fatalf("the current token answers %d", code)
	}
	second.d.Close()
	if all, live := demoTokens(t, path); all != 2 || live != 1 {
		t.Fatalf("%d demo tokens, %d live; want 2 and 1", all, live)
	}
}

// A token given by the operator survives restarts, so a wizard keeps its
// keychain entry while the connector is restarted under it.
func TestDemoTokenGivenIsKeptAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connector.db")
	const tok = "oaw_rehearsal-token-0123456789"
	for i := 0; i < 3; i++ {
		s := restartDemo(t, Options{Scenario: "ok", StorePath: path, Followers: 10, ProjectToken: tok})
		if s.d.ProjectToken != tok {
			t.Fatalf("start %d: token %q", i, s.d.ProjectToken)
		}
		if code := s.call("GET", "/v1/health", tok, nil, nil); code != 200 {
			t.Fatalf("start %d: the kept token answers %d", i, code)
		}
		s.d.Close()
	}
	if all, live := demoTokens(t, path); all != 1 || live != 1 {
		t.Fatalf("%d demo tokens, %d live; want 1 and 1", all, live)
	}
	if _, err := Start(context.Background(), Options{StorePath: path, ProjectToken: "short"}); err == nil {
		t.Fatal("a short demo token was accepted")
	}
}

// authorizeInBrowser opens a session and plays the admin in a browser.
func authorizeInBrowser(t *testing.T, s *stack, ua string, c wechatsim.BrowserChoice) (*wechatsim.BrowserPage, api.Session) {
	t.Helper()
	var x api.Session
	if code := s.call("POST", "/v1/authorizations", s.d.ProjectToken, map[string]string{"appid": s.d.Scenario.OAAppID}, &x); code != 201 {
		t.Fatalf("create session: %d", code)
	}
	page, err := wechatsim.NewBrowser(ua).Authorize(x.QRURL, c)
	if err != nil {
		t.Fatal(err)
	}
	s.call("GET", "/v1/authorizations/"+x.ID, s.d.ProjectToken, nil, &x)
	return page, x
}

// The simulated connector can be finished from outside: a desktop browser
// and a phone's browser, with no in-process phone, through the QR link.
func TestDemoAuthorizationFinishedInABrowser(t *testing.T) {
	for _, ua := range []string{wechatsim.DesktopUA, wechatsim.MobileUA, wechatsim.WeChatUA} {
		s := startStack(t, "ok", nil)
		page, x := authorizeInBrowser(t, s, ua, wechatsim.BrowserChoice{Role: "none"})
		if !strings.Contains(page.Text, "不是该账号的管理员") || x.Status == "authorized" {
			t.Fatalf("a non-admin: %+v, session %s", page, x.Status)
		}
		page, x = authorizeInBrowser(t, s, ua, wechatsim.BrowserChoice{Role: "oa", Untick: []int{24}})
		if x.Status != "authorized" || x.AppID != s.d.Scenario.OAAppID || !strings.Contains(page.Text, "授权完成") {
			t.Fatalf("the admin: %+v, session %+v", page, x)
		}
	}
}

// 取消 in the browser goes back to the landing page, which is how the
// connector learns of a cancel, as with WeChat's back button.
func TestDemoBrowserCancelReachesTheConnector(t *testing.T) {
	s := startStack(t, "ok", nil)
	page, x := authorizeInBrowser(t, s, wechatsim.WeChatUA, wechatsim.BrowserChoice{Role: "oa", Cancel: true})
	if x.Status != "cancelled" || !strings.Contains(page.URL, "/a/"+x.Code) {
		t.Fatalf("after cancel: session %s, page %+v", x.Status, page)
	}
}

func TestAdvertisedURLNamesAReachableHost(t *testing.T) {
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	u, err := advertisedURL("", any4)
	if err != nil || strings.Contains(u, "0.0.0.0") || !strings.HasSuffix(u, ":8080") {
		t.Fatalf("%q %v", u, err)
	}
	if u, _ := advertisedURL("http://192.168.1.5:8080/", any4); u != "http://192.168.1.5:8080" {
		t.Fatalf("given URL: %q", u)
	}
	if _, err := advertisedURL("ftp://x", any4); err == nil {
		t.Fatal("ftp URL accepted")
	}
	if got := loopbackAddr("0.0.0.0:81"); got != "127.0.0.1:81" {
		t.Fatal(got)
	}
}

// Listening on all interfaces (for a phone on the same network), the
// connector and the simulator's pages are both named by an address a phone
// can open, and the whole authorization works through it.
func TestDemoOnAllInterfacesIsFinishableThroughTheNetworkAddress(t *testing.T) {
	d, err := Start(context.Background(), Options{Scenario: "ok", Followers: 10, Listen: "0.0.0.0:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	pub, sim := mustURL(t, d.URL), mustURL(t, d.SimURL)
	if ip := net.ParseIP(pub.Hostname()); ip == nil || ip.IsUnspecified() || sim.Hostname() != pub.Hostname() {
		t.Fatalf("connector at %s, simulator at %s", d.URL, d.SimURL)
	}
	if !strings.HasPrefix(d.LocalURL, "http://127.0.0.1:") {
		t.Fatalf("local URL %s", d.LocalURL)
	}
	s := &stack{t: t, d: d, hc: &http.Client{Timeout: 70 * time.Second}}
	page, x := authorizeInBrowser(t, s, wechatsim.MobileUA, wechatsim.BrowserChoice{Role: "oa"})
	if x.Status != "authorized" || !strings.HasPrefix(page.URL, d.URL) {
		t.Fatalf("session %s, page %+v", x.Status, page)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
func TestRestartedDemoWaitsForItsOwnTicket(t *testing.T) {
	path := t.TempDir() + "/connector.db"
	for i := 0; i < 2; i++ {
		d, err := Start(context.Background(), Options{Scenario: "ok", StorePath: path})
		if err != nil {
			t.Fatal(err)
		}
		st := &stack{t: t, d: d, hc: &http.Client{Timeout: 10 * time.Second}}
		var h api.Health
		st.call("GET", "/v1/health", d.ProjectToken, nil, &h)
		d.Close()
		if h.WeChat.State != api.WeChatOK {
			t.Fatalf("start %d: %+v", i+1, h.WeChat)
		}
	}
}

// The demo's connector names a sample support contact, so the wizard's Help
// menu shows where a vendor's contact appears; an operator's own wins.
func TestDemoCarriesASupportContact(t *testing.T) {
	st := restartDemo(t, Options{Scenario: "ok", Followers: 10})
	var h api.Health
	if code := st.call("GET", "/v1/health", st.d.ProjectToken, nil, &h); code != 200 || h.Support == nil || *h.Support != SampleSupport {
		t.Fatalf("health %d, support %+v", code, h.Support)
	}
	own := api.Support{Name: "Acme", URL: "https://acme.example.com"}
	st = restartDemo(t, Options{Scenario: "ok", Followers: 10, Support: own})
	h = api.Health{}
	if st.call("GET", "/v1/health", st.d.ProjectToken, nil, &h); h.Support == nil || *h.Support != own {
		t.Fatalf("support %+v, want %+v", h.Support, own)
	}
}
