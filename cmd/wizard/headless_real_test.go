package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"oawizard/connector"
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
	d, err := connector.StartDemo(ctx, connector.DemoOptions{Scenario: "ok", Followers: 1200})
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
		"-appid":         {Connector: "http://127.0.0.1:1"},
		"OAWIZARD_TOKEN": {Connector: "http://127.0.0.1:1", AppID: wechatsim.DemoOAAppID, Token: func() (string, error) { return realToken("http://127.0.0.1:1") }},
		"unauthorized":   {Connector: "", AppID: wechatsim.DemoOAAppID, Token: func() (string, error) { return "oaw_x", errors.New("unauthorized") }},
	} {
		t.Setenv(EnvToken, "")
		var out, errb bytes.Buffer
		if code := runHeadlessReal(context.Background(), opt, &out, &errb); code != exitError || out.Len() != 0 || !strings.Contains(errb.String(), name) {
			t.Errorf("%s: exit %d, stderr %s", name, code, errb.String())
		}
	}
}
