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

// TestKilledConnectorProcessLosesNothing runs two real `connector serve`
// processes on one PostgreSQL database behind a round-robin balancer, the
// simulator pushing through the balancer, and kill -9s one under load:
// every session and push it acknowledged is served by the survivor, which
// keeps serving, and a wizard whose long-poll died finds its session again
// through the balancer.
func TestKilledConnectorProcessLosesNothing(t *testing.T) {
	db := pgtest.Schema(t)
	bin := connectorBinary(t)
	addrs := []string{freeAddr(t), freeAddr(t)}
	rr := startRoundRobin(t, addrs...)
	front := "http://" + rr.l.Addr().String()
	comp := wechatsim.DemoComponent()
	comp.PushURL, comp.AuthDomain = front+"/wechat/events", "127.0.0.1"
	sim, err := wechatsim.Prepare(wechatsim.Options{Scenario: "ok", Components: []wechatsim.Component{comp}, Followers: 2500, PublicHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	env := append(os.Environ(), EnvAppSecret+"="+comp.Secret, EnvToken+"="+comp.Token,
		EnvAESKey+"="+comp.EncodingAESKey, EnvStoreKey+"="+randomID(24))
	var procs []*exec.Cmd
	for _, a := range addrs {
		cmd := exec.Command(bin, "serve", "-db", db, "-listen", a, "-public-url", front,
			"-api-base", "http://"+sim.Addr(), "-component-appid", comp.AppID)
		cmd.Env = env
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		procs = append(procs, cmd)
	}
	ctx := context.Background()
	st, err := OpenPGStore(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, a := range addrs {
		for deadline := time.Now().Add(20 * time.Second); ; {
			if c, err := net.Dial("tcp", a); err == nil {
				c.Close()
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("connector on %s did not start", a)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	sim.Start()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if _, _, err := st.Ticket(ctx, comp.AppID); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no ticket arrived through the balancer")
		}
		time.Sleep(20 * time.Millisecond)
	}
	token, err := CreateProjectToken(ctx, st, "acme", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 40 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	call := func(base, method, path string, body any) (int, []byte, error) {
		var rd io.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = strings.NewReader(string(b))
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := hc.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		return resp.StatusCode, data, err
	}
	// get reads as a wizard does, waiting out the per-token rate limit.
	get := func(base, path string) (int, []byte, error) {
		for {
			code, data, err := call(base, "GET", path, nil)
			if code != http.StatusTooManyRequests {
				return code, data, err
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	oa := sim.Scenario().OAAppID
	var mu sync.Mutex
	var sessions, nonces []string
	var afterKill atomic.Int64
	var killed atomic.Bool
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-time.After(25 * time.Millisecond): // under the token's rate limit
				}
				if code, data, _ := call(front, "POST", "/v1/authorizations", map[string]string{"appid": oa}); code == http.StatusCreated {
					var v sessionView
					json.Unmarshal(data, &v)
					mu.Lock()
					sessions = append(sessions, v.ID)
					mu.Unlock()
					if killed.Load() {
						afterKill.Add(1)
					}
				}
				nonce := "p" + itoa(int64(w*100000+n))
				q, body := sealedPush(t, ticketXML(comp.AppID, "ticket@@@"+nonce), time.Now(), nonce, comp.EncodingAESKey, comp.AppID)
				if resp, err := hc.Post(front+"/wechat/events?"+q.Encode(), "text/xml", strings.NewReader(body)); err == nil {
					resp.Body.Close()
					if resp.StatusCode == 200 {
						mu.Lock()
						nonces = append(nonces, nonce+":"+q.Get("timestamp"))
						mu.Unlock()
					}
				}
			}
		}()
	}
	// A wizard long-polls a session on the process about to die.
	code, data, err := call("http://"+addrs[0], "POST", "/v1/authorizations", map[string]string{"appid": oa})
	var s sessionView
	if err != nil || code != http.StatusCreated || json.Unmarshal(data, &s) != nil {
		t.Fatalf("session on the first process: %d %s %v", code, data, err)
	}
	polled := make(chan error, 1)
	go func() {
		_, _, err := call("http://"+addrs[0], "GET", "/v1/authorizations/"+s.ID+"?wait=30s&since="+itoa(s.Version), nil)
		polled <- err
	}()
	time.Sleep(500 * time.Millisecond)
	if err := procs[0].Process.Kill(); err != nil {
		t.Fatal(err)
	}
	killed.Store(true)
	time.Sleep(700 * time.Millisecond)
	close(stop)
	wg.Wait()
	select {
	case err := <-polled:
		if err == nil {
			t.Fatal("the long-poll on the killed process answered")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the long-poll on the killed process neither answered nor failed")
	}
	// The wizard polls again through the balancer: the survivor answers.
	code, data, err = get(front, "/v1/authorizations/"+s.ID+"?wait=0s")
	var v sessionView
	if err != nil || code != http.StatusOK || json.Unmarshal(data, &v) != nil || v.ID != s.ID || v.Status != s.Status {
		t.Fatalf("session after failover: %d %s %v", code, data, err)
	}
	t.Logf("%d sessions (%d after the kill) and %d pushes acknowledged", len(sessions), afterKill.Load(), len(nonces))
	if len(sessions) == 0 || len(nonces) == 0 || afterKill.Load() == 0 {
		t.Fatalf("no load, or the survivor stopped serving: %d sessions (%d after the kill), %d pushes", len(sessions), afterKill.Load(), len(nonces))
	}
	for _, id := range sessions {
		code, data, err := get(front, "/v1/authorizations/"+id+"?wait=0s")
		if err != nil || code != http.StatusOK {
			t.Fatalf("acknowledged session %s lost: %d %s %v", id, code, data, err)
		}
	}
	for _, n := range nonces {
		if fresh, err := st.ApplyPush(ctx, n, time.Now(), PushEffect{}); err != nil || fresh {
			t.Fatalf("acknowledged push %s lost (%v)", n, err)
		}
	}
}
