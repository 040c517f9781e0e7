package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"oawizard/demostack/loopback"
	"oawizard/flow/connclient"
	"oawizard/flow/secret"
	"oawizard/wechat/wechatsim"
)

// scanner is stderr as the admin watches it: each QR line is scanned in a
// browser on the simulator's pages.
type scanner struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	lines []string
	wg    sync.WaitGroup
	pages []string
	// onLine sees each line as it is written (from the writing goroutine).
	onLine func(string)
}

func (s *scanner) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for {
		line, err := s.buf.ReadString('\n')
		if err != nil {
			s.buf.WriteString(line)
			return len(p), nil
		}
		s.lines = append(s.lines, line)
		if s.onLine != nil {
			s.onLine(line)
		}
		var ev qrEvent
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Event == "qr" {
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				page, err := wechatsim.NewBrowser(wechatsim.DesktopUA).Authorize(ev.URL, wechatsim.BrowserChoice{Role: "both"})
				s.mu.Lock()
				defer s.mu.Unlock()
				if err != nil {
					s.pages = append(s.pages, err.Error())
					return
				}
				s.pages = append(s.pages, page.Text)
			}()
		}
	}
}

func TestHeadlessRealAgainstAConnector(t *testing.T) {
	ctx := context.Background()
	d, err := loopback.Start(ctx, loopback.Options{Scenario: "ok", Followers: 1200})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var out bytes.Buffer
	errs := &scanner{}
	code := runHeadlessReal(ctx, realOptions{Connector: d.URL, AppID: d.Scenario.OAAppID, MPAppIDs: []string{d.Scenario.MPAppID},
		DataDir: t.TempDir(), Token: func() (string, error) { return d.ProjectToken, nil }}, &out, errs)
	errs.wg.Wait()
	var rep parsedReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout: %v %s", err, out.String())
	}
	if code != exitFailed || rep.Authorization.Status != "authorized" || rep.Sync.Status != "done" || rep.Sync.Followers != 1200 {
		// Without an analytics export the SDK check stays open: exit 1.
		t.Fatalf("exit %d, report %+v", code, rep)
	}
	if len(errs.pages) != 2 || !strings.Contains(errs.pages[0], "授权完成") || !strings.Contains(errs.pages[1], "授权完成") {
		t.Fatalf("the two scans ended on %q", errs.pages)
	}
	for _, l := range errs.lines {
		if !json.Valid([]byte(l)) {
			t.Fatalf("stderr line is not JSON: %q", l)
		}
	}
}

func TestHeadlessRealRefusesWithoutAppIDOrToken(t *testing.T) {
	for name, opt := range map[string]realOptions{
		"-appid": {Connector: "http://127.0.0.1:1"},
		"OAWIZARD_TOKEN": {Connector: "http://127.0.0.1:1", AppID: wechatsim.DemoOAAppID, Token: func() (string, error) {
			return realToken(secret.Keyring(secret.Service+"-test"), "http://127.0.0.1:1/none")
		}},
		"unauthorized": {Connector: "", AppID: wechatsim.DemoOAAppID, Token: func() (string, error) { return "oaw_x", errors.New("unauthorized") }},
	} {
		t.Setenv(EnvToken, "")
		var out, errb bytes.Buffer
		if code := runHeadlessReal(context.Background(), opt, &out, &errb); code != exitError || !strings.Contains(errb.String(), name) {
			t.Errorf("%s: exit %d, stderr %s", name, code, errb.String())
		}
		// Even a run refused at once ends with its report.
		var rep struct{ Status, Stage string }
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Status != "failed" || rep.Stage == "" {
			t.Errorf("%s: report %q (%v)", name, out.String(), err)
		}
	}
}

// gateway stands in front of the connector on a fixed address and can be
// taken down and brought back, as the vendor's server is in an outage.
type gateway struct {
	addr string
	to   *url.URL
	srv  *http.Server
}

func (g *gateway) up(t *testing.T) {
	l, err := net.Listen("tcp", g.addr)
	if err != nil {
		t.Error(err)
		return
	}
	g.addr = l.Addr().String()
	g.srv = &http.Server{Handler: httputil.NewSingleHostReverseProxy(g.to)}
	go g.srv.Serve(l)
}

// The connector goes away in the middle of the sync and comes back on the
// same address: the headless run says it is reconnecting, then carries on
// by itself and ends with every follower.
func TestHeadlessRealRidesOutAConnectorOutage(t *testing.T) {
	ctx := context.Background()
	d, err := loopback.Start(ctx, loopback.Options{Scenario: "ok", Followers: 20000, Latency: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	g := &gateway{addr: "127.0.0.1:0", to: mustParse(t, d.URL)}
	g.up(t)
	defer func() { g.srv.Close() }()
	errs := &scanner{}
	var once sync.Once
	outage := make(chan struct{})
	errs.onLine = func(line string) {
		var ev struct {
			Event    string
			Progress struct {
				Phase  string
				Listed int64
			}
		}
		// Down as soon as the followers are listed, while their details
		// are being fetched.
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Event == "sync" && ev.Progress.Phase == "fetching" && ev.Progress.Listed > 0 {
			once.Do(func() {
				g.srv.Close()
				go func() {
					defer close(outage)
					// Longer than the sync engine rides out on its own
					// (six retries, about 20 s).
					time.Sleep(25 * time.Second)
					g.up(t)
				}()
			})
		}
	}
	var out bytes.Buffer
	code := runHeadlessReal(ctx, realOptions{Connector: "http://" + g.addr, AppID: d.Scenario.OAAppID, DataDir: t.TempDir(), Workers: 2,
		Token: func() (string, error) { return d.ProjectToken, nil }, Outage: connclient.Backoff{Initial: 100 * time.Millisecond, Within: time.Minute}}, &out, errs)
	errs.wg.Wait()
	<-outage
	var rep parsedReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("stdout: %v %s", err, out.String())
	}
	if code != exitFailed || rep.Sync.Status != "done" || rep.Sync.Followers != 20000 {
		t.Fatalf("exit %d, report %+v\n%s", code, rep, strings.Join(errs.lines, ""))
	}
	var states []bool
	for _, l := range errs.lines {
		var ev struct {
			Event        string
			Reconnecting bool
		}
		if json.Unmarshal([]byte(l), &ev) == nil && ev.Event == "connection" {
			states = append(states, ev.Reconnecting)
		}
	}
	if len(states) < 2 || !states[0] || states[len(states)-1] {
		t.Fatalf("connection events %v: want reconnecting, then connected\n%s", states, strings.Join(errs.lines, ""))
	}
}

func mustParse(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The token comes from OAWIZARD_TOKEN, else from the keychain entry the
// window's Settings saved for that connector address.
func TestHeadlessRealTokenFromEnvironmentThenKeychain(t *testing.T) {
	kc := secret.Keyring(secret.Service + "-test")
	const base = "http://127.0.0.1:1/headless-real-test"
	if err := kc.Set(secret.TokenKey(base), "oaw_from-keychain"); err != nil {
		if os.Getenv("OAWIZARD_REQUIRE_KEYRING") != "" {
			t.Fatalf("the keychain is required here but failed: %v", err)
		}
		t.Skipf("no keychain on this machine (%v); run under scripts/with-keyring.sh", err)
	}
	defer kc.Delete(secret.TokenKey(base))
	t.Setenv(EnvToken, "")
	if tok, err := realToken(kc, base+"/"); err != nil || tok != "oaw_from-keychain" {
		t.Fatalf("keychain: %q %v", tok, err)
	}
	t.Setenv(EnvToken, " oaw_from-env ")
	if tok, err := realToken(kc, base); err != nil || tok != "oaw_from-env" {
		t.Fatalf("environment: %q %v", tok, err)
	}
}
