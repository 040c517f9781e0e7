package connector

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"oawizard/connector/api"
	"oawizard/pgtest"
	"oawizard/wechat/wechatsim"
)

// connectorBinary is the real `connector` program: the one scripts/test.sh
// built into OAWIZARD_BIN_DIR, else one built for this test.
func connectorBinary(t *testing.T) string {
	t.Helper()
	if d := os.Getenv("OAWIZARD_BIN_DIR"); d != "" {
		if p := filepath.Join(d, "connector"); fileExists(p) {
			return p
		}
	}
	p := filepath.Join(t.TempDir(), "connector")
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", p, "oawizard/cmd/connector").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// roundRobin is a loopback TCP load balancer: each connection goes to the
// next backend that accepts it, as a load balancer's failover would.
type roundRobin struct {
	l        net.Listener
	backends []string
	next     atomic.Int64
}

func startRoundRobin(t *testing.T, backends ...string) *roundRobin {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rr := &roundRobin{l: l, backends: backends}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go rr.serve(c)
		}
	}()
	return rr
}

func (rr *roundRobin) serve(c net.Conn) {
	defer c.Close()
	n := rr.next.Add(1)
	for i := range rr.backends {
		b, err := net.DialTimeout("tcp", rr.backends[(int(n)+i)%len(rr.backends)], time.Second)
		if err != nil {
			continue
		}
		defer b.Close()
		go func() { io.Copy(b, c); b.Close() }()
		io.Copy(c, b)
		return
	}
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// procFleet is real `connector serve` processes on one PostgreSQL database
// behind a round-robin balancer, the simulator pushing through it.
type procFleet struct {
	t     *testing.T
	front string
	addrs []string
	procs []*exec.Cmd
	sim   *wechatsim.Server
	comp  wechatsim.Component
	st    *PGStore
	token string
	hc    *http.Client
}

func startProcFleet(t *testing.T, n int) *procFleet {
	db := pgtest.Schema(t)
	bin := connectorBinary(t)
	f := &procFleet{t: t, comp: wechatsim.DemoComponent(),
		hc: &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	for range n {
		f.addrs = append(f.addrs, freeAddr(t))
	}
	rr := startRoundRobin(t, f.addrs...)
	f.front = "http://" + rr.l.Addr().String()
	f.comp.PushURL, f.comp.AuthDomain = f.front+"/wechat/events", "127.0.0.1"
	sim, err := wechatsim.Prepare(wechatsim.Options{Scenario: "ok", Components: []wechatsim.Component{f.comp}, Followers: 2500, PublicHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	f.sim = sim
	t.Cleanup(sim.Close)
	env := append(os.Environ(), EnvAppSecret+"="+f.comp.Secret, EnvToken+"="+f.comp.Token,
		EnvAESKey+"="+f.comp.EncodingAESKey, EnvStoreKey+"="+randomID(24))
	for _, a := range f.addrs {
		cmd := exec.Command(bin, "serve", "-db", db, "-listen", a, "-public-url", f.front,
			"-api-base", "http://"+sim.Addr(), "-component-appid", f.comp.AppID)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		f.procs = append(f.procs, cmd)
	}
	ctx := context.Background()
	if f.st, err = OpenPGStore(ctx, db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	for _, a := range f.addrs {
		waitUntil(t, "connector on "+a+" to listen", func() bool {
			c, err := net.Dial("tcp", a)
			if err == nil {
				c.Close()
			}
			return err == nil
		})
	}
	sim.Start()
	waitUntil(t, "a ticket through the balancer", func() bool {
		_, _, err := f.st.Ticket(ctx, f.comp.AppID)
		return err == nil
	})
	if f.token, err = CreateProjectToken(ctx, f.st, "acme", time.Now()); err != nil {
		t.Fatal(err)
	}
	return f
}

func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("waited 20 s for " + what)
		}
	}
}

// call makes an authenticated request to base (the balancer or a process).
func (f *procFleet) call(base, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := f.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// get reads as a wizard does, waiting out the per-token rate limit.
func (f *procFleet) get(base, path string) (int, []byte, error) {
	for {
		code, data, err := f.call(base, "GET", path, nil)
		if code != http.StatusTooManyRequests {
			return code, data, err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// load creates sessions and sends pushes through the balancer until stop,
// recording what was acknowledged (and how much after killed was set).
type procLoad struct {
	mu               sync.Mutex
	sessions, nonces []string
	afterKill        atomic.Int64
	killed           atomic.Bool
	stop             chan struct{}
	wg               sync.WaitGroup
}

func (f *procFleet) startLoad(workers int) *procLoad {
	l := &procLoad{stop: make(chan struct{})}
	oa := f.sim.Scenario().OAAppID
	for w := range workers {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; ; n++ {
				select {
				case <-l.stop:
					return
				case <-time.After(25 * time.Millisecond): // under the token's rate limit
				}
				if code, data, _ := f.call(f.front, "POST", "/v1/authorizations", map[string]string{"appid": oa}); code == http.StatusCreated {
					var v api.Session
					json.Unmarshal(data, &v)
					l.mu.Lock()
					l.sessions = append(l.sessions, v.ID)
					l.mu.Unlock()
					if l.killed.Load() {
						l.afterKill.Add(1)
					}
				}
				nonce := "p" + itoa(int64(w*100000+n))
				q, body := sealedPush(f.t, ticketXML(f.comp.AppID, "ticket@@@"+nonce), time.Now(), nonce, f.comp.EncodingAESKey, f.comp.AppID)
				if resp, err := f.hc.Post(f.front+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body)); err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						l.mu.Lock()
						l.nonces = append(l.nonces, nonce+":"+q.Get("timestamp")) // as the push handler keys it
						l.mu.Unlock()
					}
				}
			}
		}()
	}
	return l
}

// TestKilledConnectorProcessLosesNothing kill -9s one of two real
// connector processes under load: every session and push it acknowledged
// is served by the survivor, which keeps serving, and a wizard whose
// long-poll died finds its session again through the balancer.
func TestKilledConnectorProcessLosesNothing(t *testing.T) {
	f := startProcFleet(t, 2)
	l := f.startLoad(4)
	// A wizard long-polls a session on the process about to die.
	victim := "http://" + f.addrs[0]
	code, data, err := f.call(victim, "POST", "/v1/authorizations", map[string]string{"appid": f.sim.Scenario().OAAppID})
	var s api.Session
	if err != nil || code != http.StatusCreated || json.Unmarshal(data, &s) != nil {
		t.Fatalf("session on the first process: %d %s %v", code, data, err)
	}
	polled := make(chan error, 1)
	go func() {
		_, _, err := f.call(victim, "GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(s.Version), nil)
		polled <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if err := f.procs[0].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	l.killed.Store(true)
	time.Sleep(700 * time.Millisecond)
	close(l.stop)
	l.wg.Wait()
	select {
	case err := <-polled:
		if err == nil {
			t.Fatal("the long-poll on the killed process answered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long-poll on the killed process neither answered nor failed")
	}
	// The wizard polls again through the balancer: the survivor answers.
	code, data, err = f.get(f.front, "/v1/authorizations/"+s.ID+"?wait=0s")
	var v api.Session
	if err != nil || code != http.StatusOK || json.Unmarshal(data, &v) != nil || v.ID != s.ID || v.Status != s.Status {
		t.Fatalf("session after failover: %d %s %v", code, data, err)
	}
	t.Logf("%d sessions (%d after the kill) and %d pushes acknowledged", len(l.sessions), l.afterKill.Load(), len(l.nonces))
	if len(l.sessions) == 0 || len(l.nonces) == 0 || l.afterKill.Load() == 0 {
		t.Fatal("no load, or the survivor stopped serving")
	}
	for _, id := range l.sessions {
		if code, data, err := f.get(f.front, "/v1/authorizations/"+id+"?wait=0s"); err != nil || code != http.StatusOK {
			t.Fatalf("acknowledged session %s lost: %d %s %v", id, code, data, err)
		}
	}
	for _, n := range l.nonces {
		if fresh, err := f.st.ApplyPush(context.Background(), n, time.Now(), PushEffect{}); err != nil || fresh {
			t.Fatalf("acknowledged push %s lost (%v)", n, err)
		}
	}
}
