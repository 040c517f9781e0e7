//go:build e2e

package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"oawizard/wechat/wechatsim"
)

const token = "oaw_two-process-e2e-token-0123456789"

// binaries are the built connector and wizard: from OAWIZARD_BIN_DIR when
// the test command built them already, else built here once.
func binaries(t *testing.T) (conn, wiz string) {
	dir := os.Getenv("OAWIZARD_BIN_DIR")
	if dir == "" {
		dir = t.TempDir()
		for _, name := range []string{"connector", "wizard"} {
			cmd := exec.Command("go", "build", "-o", filepath.Join(dir, name), "./cmd/"+name)
			cmd.Dir = ".."
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("building %s: %v\n%s", name, err, out)
			}
		}
	}
	conn, wiz = filepath.Join(dir, "connector"), filepath.Join(dir, "wizard")
	for _, p := range []string{conn, wiz} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("binary missing: %v", err)
		}
	}
	return conn, wiz
}

// syncBuf is a buffer a process writes while the test reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startConnector runs `connector serve --simulate ok` and waits for the
// lines that tell an operator what to type into the wizard.
func startConnector(t *testing.T, bin, addr, dir string) string {
	cmd := exec.Command(bin, "serve", "--simulate", "ok", "-listen", addr, "-sim-followers", "3000", "-db", filepath.Join(dir, "connector.db"))
	cmd.Env = append(os.Environ(), "CONNECTOR_DEMO_TOKEN="+token)
	var stderr syncBuf
	cmd.Stdout, cmd.Stderr = &syncBuf{}, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if out := stderr.String(); strings.Contains(out, "模拟微信授权页") {
			for _, want := range []string{"http://" + addr, token, wechatsim.DemoOAAppID, wechatsim.DemoMPAppID} {
				if !strings.Contains(out, want) {
					t.Fatalf("the start-up lines do not name %q:\n%s", want, out)
				}
			}
			return "http://" + addr
		}
	}
	t.Fatalf("the connector did not start:\n%s", stderr.String())
	return ""
}

type qrLine struct {
	Event, Stage, URL, Code, QR string
}

// The production path as two processes over HTTP: the built connector on a
// simulated WeChat, the built wizard in headless real mode against it, and
// the admin in a browser on the simulator's pages.
func TestRealModeTwoProcesses(t *testing.T) {
	connBin, wizBin := binaries(t)
	dir := t.TempDir()
	base := startConnector(t, connBin, freePort(t), dir)

	export := filepath.Join(dir, "export.csv")
	if out, err := exec.Command(wizBin, "-scenario", "ok", "-followers", "3000", "-demo-export", export).CombinedOutput(); err != nil {
		t.Fatalf("sample export: %v %s", err, out)
	}
	wiz := exec.Command(wizBin, "-headless", "-connector", base, "-appid", wechatsim.DemoOAAppID, "-mp-appid", wechatsim.DemoMPAppID,
		"-data", filepath.Join(dir, "wizard"), "-workers", "4", "-sdk-export", export)
	// A desktop has a locale; without one Fyne logs a line on stderr.
	wiz.Env = append(os.Environ(), "OAWIZARD_TOKEN="+token, "LANG=zh_CN.UTF-8", "LC_ALL=")
	var stdout syncBuf
	wiz.Stdout = &stdout
	stderr, _ := wiz.StderrPipe()
	if err := wiz.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(3*time.Minute, func() { wiz.Process.Kill() })
	defer timer.Stop()

	// The admin: a phone's browser for the Official Account, a desktop
	// browser for the mini-program, each choosing who they are.
	browsers := map[string]wechatsim.BrowserChoice{"authorization": {Role: "oa"}, "mp_authorization": {Role: "both", AppID: wechatsim.DemoMPAppID}}
	agents := map[string]string{"authorization": wechatsim.MobileUA, "mp_authorization": wechatsim.DesktopUA}
	var scans sync.WaitGroup
	pages := map[string]string{}
	var mu sync.Mutex
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev qrLine
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("stderr line is not JSON: %q", sc.Text())
		}
		if ev.Event != "qr" {
			continue
		}
		if !strings.HasPrefix(ev.URL, base+"/a/") || !strings.Contains(ev.QR, "█") || strings.Count(ev.QR, "\n") < 10 {
			t.Fatalf("the QR line: %+v", ev)
		}
		scans.Add(1)
		go func(ev qrLine) {
			defer scans.Done()
			page, err := wechatsim.NewBrowser(agents[ev.Stage]).Authorize(ev.URL, browsers[ev.Stage])
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				pages[ev.Stage] = err.Error()
				return
			}
			pages[ev.Stage] = page.Text
		}(ev)
	}
	err := wiz.Wait()
	scans.Wait()
	for stage := range browsers {
		if !strings.Contains(pages[stage], "授权完成") {
			t.Errorf("%s: the browser ended on %q", stage, pages[stage])
		}
	}
	var rep struct {
		Authorization struct{ Status, AppID string }
		Sync          struct {
			Status    string
			Followers int64
		}
		Overlap struct{ Matched int64 }
		Checks  []struct{ ID, Status string }
	}
	if jerr := json.Unmarshal([]byte(stdout.String()), &rep); jerr != nil {
		t.Fatalf("stdout is not one JSON report (%v): %s", jerr, stdout.String())
	}
	if err != nil {
		t.Fatalf("wizard exit: %v; report %+v", err, rep)
	}
	if rep.Authorization.Status != "authorized" || rep.Authorization.AppID != wechatsim.DemoOAAppID ||
		rep.Sync.Status != "done" || rep.Sync.Followers != 3000 || rep.Overlap.Matched == 0 {
		t.Fatalf("report %+v", rep)
	}
}
